"""A form's address opened as a page (reloaded after the form's answer, typed, bookmarked)
goes to the page the form belongs to, not to "405 The method is not allowed"."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.conftest import AuthActions


@pytest.mark.parametrize(
    ("form", "page"),
    [
        ("/settings/shipping/cost-centres", "/settings/shipping/"),
        ("/settings/shipping/presets", "/settings/shipping/"),
        ("/settings/shipping/stages", "/settings/shipping/"),
        ("/account/password", "/account"),
        ("/inbox/settings/folders", "/inbox/settings"),
        ("/inbox/submit", "/inbox"),
        ("/bench/ship", "/bench"),
        ("/printers/7/test", "/printers"),
    ],
)
def test_a_forms_address_opened_as_a_page_goes_to_the_forms_page(
    client: FlaskClient, auth: AuthActions, form: str, page: str
) -> None:
    auth.login()

    response = client.get(form)

    assert response.status_code == 303
    assert response.headers["Location"] == page
    assert client.get(page).status_code == 200


def test_the_api_and_htmx_still_hear_that_the_method_is_not_allowed(
    client: FlaskClient, auth: AuthActions
) -> None:
    auth.login()

    api = client.get("/api/v1/orders")
    htmx = client.get("/settings/shipping/cost-centres", headers={"HX-Request": "true"})
    post_only = client.put("/settings/shipping/cost-centres")

    assert api.status_code == 405 and "error" in api.get_json()
    assert htmx.status_code == 405 and post_only.status_code == 405
