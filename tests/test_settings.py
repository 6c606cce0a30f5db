"""Runtime settings: plain values round-trip, secrets are encrypted at rest."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from flask import Flask
from sqlalchemy import select

from station.extensions import db
from station.models import AuditEvent, Setting
from station.secretbox import SecretBox, SecretUnreadable, instance_secret, load_keys
from station.settings import SettingsStore, rotate_secrets, settings_store


def test_values_round_trip(app: Flask) -> None:
    with app.app_context():
        settings_store(db.session).set("sync.selection", {"window_days": 14, "stages": ["New"]})
        db.session.commit()
        assert settings_store(db.session).get("sync.selection") == {
            "window_days": 14,
            "stages": ["New"],
        }
        assert settings_store(db.session).get("missing", "fallback") == "fallback"


def test_secrets_are_stored_encrypted_and_read_back(app: Flask) -> None:
    with app.app_context():
        store = settings_store(db.session)
        store.set_secret("cin7.api_key", "s3cret-api-key")
        db.session.commit()
        row = db.session.scalar(select(Setting).where(Setting.key == "cin7.api_key"))

        assert row is not None and row.secret and "s3cret" not in row.secret
        assert store.get_secret("cin7.api_key") == "s3cret-api-key"
        assert store.has_secret("cin7.api_key")


def test_a_store_without_the_key_reads_plain_values_and_refuses_secrets(app: Flask) -> None:
    with app.app_context():
        settings_store(db.session).set("dispatch.options", {"send_back_ticket": False})
        settings_store(db.session).set_secret("cin7.api_key", "s3cret-api-key")
        db.session.commit()
        plain = SettingsStore(db.session)

        assert plain.get("dispatch.options") == {"send_back_ticket": False}
        assert plain.has_secret("cin7.api_key")
        with pytest.raises(RuntimeError, match="without the key for secrets"):
            plain.get_secret("cin7.api_key")


def test_a_secret_sealed_with_another_key_gives_a_clear_error(tmp_path: Path) -> None:
    token = SecretBox(load_keys(None, tmp_path / "a")).seal("x")

    with pytest.raises(SecretUnreadable, match="enter it again in Settings"):
        SecretBox(load_keys(None, tmp_path / "b")).open(token)


def test_the_instance_key_is_created_once_and_kept(tmp_path: Path) -> None:
    first = load_keys(None, tmp_path)

    assert load_keys(None, tmp_path) == first and len(first) == 1
    assert (tmp_path / "fernet.key").stat().st_mode & 0o777 == 0o600


class TestKeyRotation:
    def test_the_first_key_encrypts_and_every_key_decrypts(self, tmp_path: Path) -> None:
        old, new = Fernet.generate_key(), Fernet.generate_key()
        sealed_before = SecretBox([old]).seal("api-key-1")
        box = SecretBox(load_keys(f" {new.decode()} , {old.decode()} ", tmp_path))

        sealed_now = box.seal("api-key-2")

        assert box.open(sealed_before) == "api-key-1"
        assert SecretBox([new]).open(sealed_now) == "api-key-2"
        with pytest.raises(SecretUnreadable):
            SecretBox([old]).open(sealed_now)
        assert not (tmp_path / "fernet.key").exists()  # configured keys: no instance key made

    def test_a_bad_key_stops_start_up_naming_its_place_not_its_value(self, tmp_path: Path) -> None:
        good = Fernet.generate_key().decode()

        with pytest.raises(ValueError, match="key 2 of 2 is not a Fernet key") as refused:
            SecretBox(load_keys(f"{good},not-a-key", tmp_path))
        assert "not-a-key" not in str(refused.value)

    def test_rotating_re_encrypts_every_stored_secret_with_the_first_key(self, app: Flask) -> None:
        old, new = Fernet.generate_key(), Fernet.generate_key()
        with app.app_context():
            before = SettingsStore(db.session, SecretBox([old]))
            before.set_secret("cin7.api_key", "cin7-key")
            before.set_secret("carriers.karrio", '{"key": "carrier-key"}')
            before.set("dispatch.options", {"send_back_ticket": False})
            db.session.add(
                Setting(key="lost.secret", secret=SecretBox([Fernet.generate_key()]).seal("x"))
            )
            db.session.commit()

            rotation = rotate_secrets(db.session, SecretBox([new, old]))
            db.session.commit()

            after = SettingsStore(db.session, SecretBox([new]))
            assert rotation.resealed == ("carriers.karrio", "cin7.api_key")
            assert rotation.unreadable == ("lost.secret",)
            assert after.get_secret("cin7.api_key") == "cin7-key"
            assert after.get_secret("carriers.karrio") == '{"key": "carrier-key"}'
            assert after.get("dispatch.options") == {"send_back_ticket": False}
            with pytest.raises(SecretUnreadable):
                SettingsStore(db.session, SecretBox([old])).get_secret("cin7.api_key")
            event = db.session.scalars(select(AuditEvent)).one()
            assert (event.action, event.target_label, event.detail) == (
                "settings.keys.rotated",
                "Encryption key",
                {
                    "re_encrypted": ["carriers.karrio", "cin7.api_key"],
                    "unreadable": ["lost.secret"],
                },
            )


def test_processes_starting_together_share_one_instance_secret(tmp_path: Path) -> None:
    path = tmp_path / "secret_key"
    start = threading.Barrier(8)
    counter = iter(range(100))

    def slow_generate() -> bytes:
        time.sleep(0.05)  # every caller is past the "does it exist?" check by now
        return f"secret-{next(counter)}".encode()

    def open_secret() -> bytes:
        start.wait()
        return instance_secret(path, slow_generate)

    with ThreadPoolExecutor(max_workers=8) as pool:
        seen = list(pool.map(lambda _: open_secret(), range(8)))

    assert len(set(seen)) == 1 and seen[0] == path.read_bytes()
    assert path.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret_key"]  # no temporaries left


def test_a_transaction_reads_every_setting_in_one_query_and_the_next_reads_them_afresh(
    app: Flask,
) -> None:
    from tests.fakes.statements import counting

    with app.app_context():
        settings_store(db.session).set("dispatch.options", {"send_back_ticket": False})
        db.session.commit()
        with counting(app) as log:
            store = settings_store(db.session)
            assert store.get("dispatch.options") == {"send_back_ticket": False}
            assert store.get("dispatch.sender") is None  # never saved: no query of its own
            assert settings_store(db.session).get("missing", 3) == 3
        assert log.count == 1, log.describe()
        db.session.commit()
        with db.engine.begin() as conn:  # another connection changes it meanwhile
            conn.execute(
                Setting.__table__.update()
                .where(Setting.key == "dispatch.options")
                .values(value={"send_back_ticket": True})
            )
        assert settings_store(db.session).get("dispatch.options") == {"send_back_ticket": True}


def test_a_setting_made_in_a_rolled_back_savepoint_is_gone(app: Flask) -> None:
    with app.app_context():
        store = settings_store(db.session)
        assert store.get("dispatch.sender") is None
        with db.session.begin_nested() as nested:
            store.set("dispatch.sender", {"name": "Depot"})
            db.session.flush()
            assert store.get("dispatch.sender") == {"name": "Depot"}
            nested.rollback()
        assert store.get("dispatch.sender") is None
