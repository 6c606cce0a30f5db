"""Around the API: Basic auth, Cin7's rate limits on an injected clock, faults, the request log."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest

from station.cin7.sandbox import (
    DEMO_API_KEY,
    DEMO_USERNAME,
    Limits,
    SandboxState,
    create_sandbox,
    serve_sandbox,
)
from tests.cin7.sandbox.conftest import AUTH, START, Serve, Served


class TestCredentials:
    @pytest.mark.parametrize(
        "auth",
        [None, (DEMO_USERNAME, "wrong-key"), ("someone-else", DEMO_API_KEY), (DEMO_USERNAME, "")],
        ids=["missing", "wrong key", "wrong user", "empty key"],
    )
    @pytest.mark.parametrize("path", ["SalesOrders", "SalesOrders/1001", "Stock", "Nowhere"])
    def test_wrong_or_missing_credentials_are_answered_401(
        self, served: Served, auth: Any, path: str
    ) -> None:
        response = served.api("GET", path, auth=auth)
        assert response.status_code == 401
        assert response.json() == {"Message": "Authorization has been denied for this request."}
        assert response.headers["WWW-Authenticate"].split()[0] == "Basic"

    def test_a_write_without_credentials_changes_nothing(self, served: Served) -> None:
        order_id = served.first_id()
        response = served.api(
            "PUT", "SalesOrders", auth=None, json=[{"id": order_id, "stage": "X"}]
        )
        assert response.status_code == 401
        assert served.order(order_id)["stage"] != "X"

    def test_other_credentials_can_be_configured(self, http: httpx.Client) -> None:
        app = create_sandbox(SandboxState(), username="acme", api_key="k3y", limits=Limits())
        with serve_sandbox(app) as server:
            url = f"{server.base_url}/v1/Branches"
            assert http.get(url, auth=("acme", "k3y")).status_code == 200
            assert http.get(url, auth=(DEMO_USERNAME, DEMO_API_KEY)).status_code == 401


class TestRateLimits:
    def test_the_fourth_call_within_a_second_is_answered_429_without_retry_after(
        self, limited: Served
    ) -> None:
        statuses = [limited.get("Branches").status_code for _ in range(3)]
        refused = limited.get("Branches")
        assert statuses == [200, 200, 200]
        assert refused.status_code == 429
        assert "Retry-After" not in refused.headers  # unverified on the real API
        assert refused.json()["Message"]

    def test_retry_after_is_sent_only_when_the_sandbox_is_told_to(self, serve: Serve) -> None:
        served = serve(limits=Limits(retry_after=True))
        for _ in range(3):
            served.get("Branches")
        refused = served.get("Branches")
        assert (refused.status_code, refused.headers["Retry-After"]) == (429, "1")

    def test_calls_are_allowed_again_once_the_clock_moves_on(self, limited: Served) -> None:
        for _ in range(3):
            limited.get("Branches")
        limited.clock.advance(0.75)
        assert limited.get("Branches").status_code == 429
        limited.clock.advance(0.25)
        assert [limited.get("Branches").status_code for _ in range(4)] == [200, 200, 200, 429]

    def test_the_sixty_first_call_within_a_minute_is_answered_429(self, serve: Serve) -> None:
        limited = serve(limits=Limits(retry_after=True))
        for _ in range(20):
            assert {limited.get("Branches").status_code for _ in range(3)} == {200}
            limited.clock.advance(1)
        refused = limited.get("Branches")
        assert (refused.status_code, refused.headers["Retry-After"]) == (429, "60")

    def test_the_daily_budget_is_answered_429(self, serve: Serve) -> None:
        served = serve(limits=Limits(per_second=100, per_minute=100, per_day=4, retry_after=True))
        assert {served.get("Branches").status_code for _ in range(4)} == {200}
        refused = served.get("Branches")
        assert (refused.status_code, refused.headers["Retry-After"]) == (429, "3600")
        served.clock.advance(86_400)
        assert served.get("Branches").status_code == 200

    def test_refused_calls_are_logged_but_do_not_count(self, serve: Serve) -> None:
        served = serve(limits=Limits(per_second=3, per_minute=6))
        statuses = [served.get("Branches").status_code for _ in range(5)]
        statuses += [served.api("GET", "Branches", auth=None).status_code for _ in range(3)]
        served.clock.advance(1)
        statuses += [served.get("Branches").status_code for _ in range(4)]
        assert statuses == [200] * 3 + [429] * 2 + [401] * 3 + [200, 200, 200, 429]
        assert [r.status for r in served.state.api_calls()] == statuses

    def test_writes_spend_the_same_budget(self, limited: Served) -> None:
        order_id = limited.first_id()
        limited.get("Branches")
        limited.put([{"id": order_id, "stage": "New"}])
        limited.get(f"SalesOrders/{order_id}")
        refused = limited.api("PUT", "SalesOrders", json=[{"id": order_id, "stage": "On Hold"}])
        assert refused.status_code == 429
        assert limited.order(order_id)["stage"] == "New"


class TestFaults:
    def test_fail_next_answers_a_burst_of_429s_with_retry_after_then_recovers(
        self, served: Served
    ) -> None:
        served.state.faults.fail_next(429, count=2, retry_after=5)
        responses = [served.get("SalesOrders") for _ in range(3)]
        assert [r.status_code for r in responses] == [429, 429, 200]
        assert [r.headers.get("Retry-After") for r in responses] == ["5", "5", None]

    @pytest.mark.parametrize("status", [500, 502, 503])
    def test_fail_next_answers_a_server_error_once(self, served: Served, status: int) -> None:
        served.state.faults.fail_next(status)
        failed = served.get("SalesOrders")
        assert failed.status_code == status and failed.json()["Message"]
        assert "Retry-After" not in failed.headers
        assert served.get("SalesOrders").status_code == 200

    def test_a_faulted_write_applies_nothing(self, served: Served) -> None:
        order_id = served.first_id()
        served.state.faults.fail_next(503)
        response = served.api("PUT", "SalesOrders", json=[{"id": order_id, "stage": "X"}])
        assert response.status_code == 503
        assert served.order(order_id)["stage"] != "X"

    def test_a_simulated_429_does_not_spend_the_budget_but_a_500_does(self, serve: Serve) -> None:
        served = serve(limits=Limits(per_second=2))
        served.state.faults.fail_next(429)
        assert [served.get("Branches").status_code for _ in range(3)] == [429, 200, 200]
        served.clock.advance(1)
        served.state.faults.fail_next(500)
        assert [served.get("Branches").status_code for _ in range(3)] == [500, 200, 429]

    def test_faults_wait_behind_credentials_and_limits(self, serve: Serve) -> None:
        served = serve(limits=Limits(per_second=1))
        served.state.faults.fail_next(500)
        assert served.api("GET", "Branches", auth=None).status_code == 401
        assert served.get("Branches").status_code == 500
        assert served.get("Branches").status_code == 429
        served.clock.advance(1)
        assert served.get("Branches").status_code == 200

    def test_malformed_next_answers_200_with_a_body_that_is_not_json(self, served: Served) -> None:
        served.state.faults.malformed_next()
        response = served.get("SalesOrders")
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith("application/json")
        with pytest.raises(json.JSONDecodeError):
            json.loads(response.text)
        assert isinstance(served.get("SalesOrders").json(), list)

    def test_slow_next_really_delays_the_answer(self, served: Served) -> None:
        served.state.faults.slow_next(0.3)
        started = time.perf_counter()
        response = served.get("Branches")
        assert time.perf_counter() - started >= 0.3
        assert response.status_code == 200 and len(response.json()) == 3

    def test_a_slow_reply_trips_a_client_timeout(self, served: Served, http: httpx.Client) -> None:
        served.state.faults.slow_next(0.5)
        with pytest.raises(httpx.ReadTimeout):
            http.get(f"{served.server.base_url}/v1/Branches", auth=AUTH, timeout=0.1)

    def test_fail_items_fails_those_orders_inside_a_batch(self, served: Served) -> None:
        first, second, third = sorted(served.state.orders)[:3]
        served.state.faults.fail_items(second, message="Branch is locked")
        results = served.put(
            [{"id": i, "internalComments": "checked"} for i in (first, second, third)]
        )
        assert [r["success"] for r in results] == [True, False, True]
        assert results[1]["errors"] == ["Branch is locked"]
        comments = [served.order(i)["internalComments"] for i in (first, second, third)]
        assert comments[0] == comments[2] == "checked" != comments[1]

    def test_random_faults_at_rate_one_fail_every_call_with_the_statuses_given(
        self, served: Served
    ) -> None:
        served.state.faults.random(1.0, statuses=(503,))
        assert {served.get("Branches").status_code for _ in range(5)} == {503}

    def test_random_faults_repeat_with_the_same_seed(self, serve: Serve) -> None:
        runs = []
        for _ in range(2):
            served = serve()
            served.state.faults.random(0.4, seed=11)
            runs.append([served.get("Branches").status_code for _ in range(15)])
        assert runs[0] == runs[1]
        assert 200 in runs[0] and set(runs[0]) - {200} <= {429, 500}

    def test_clear_switches_every_fault_off(self, served: Served) -> None:
        order_id = served.first_id()
        faults = served.state.faults
        faults.fail_next(500, count=3)
        faults.malformed_next()
        faults.fail_items(order_id)
        faults.random(1.0)
        faults.clear()
        assert {served.get("Branches").status_code for _ in range(4)} == {200}
        assert served.put([{"id": order_id, "stage": "New"}])[0]["success"] is True


class TestRequestLog:
    def test_each_api_call_is_logged_with_its_time_query_status_and_body(
        self, served: Served
    ) -> None:
        order_id = served.first_id()
        served.get("SalesOrders", where="stage = 'New'", rows=5)
        served.clock.advance(10)
        served.put([{"id": order_id, "stage": "Processing"}])
        calls = served.state.api_calls()
        assert [(c.t, c.method, c.path, c.query, c.status, c.body) for c in calls] == [
            (
                START,
                "GET",
                "/api/v1/SalesOrders",
                {"where": "stage = 'New'", "rows": "5"},
                200,
                None,
            ),
            (
                START + 10,
                "PUT",
                "/api/v1/SalesOrders",
                {},
                200,
                [{"id": order_id, "stage": "Processing"}],
            ),
        ]

    def test_faulted_and_refused_calls_are_logged_with_their_status(self, served: Served) -> None:
        served.state.faults.fail_next(429)
        served.state.faults.malformed_next()
        for _ in range(3):
            served.get("Branches")
        served.api("GET", "Branches", auth=None)
        assert [c.status for c in served.state.api_calls()] == [429, 200, 200, 401]


def test_without_a_state_the_app_serves_the_seeded_demo() -> None:
    app = create_sandbox(clock=lambda: START)
    assert len(app.sandbox_state.orders) >= 300  # type: ignore[attr-defined]
    assert app.sandbox_state.clock() == START  # type: ignore[attr-defined]
