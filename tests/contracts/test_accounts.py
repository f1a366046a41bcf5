"""Contract of the clinic and user repositories and the password hasher: what goes in comes out equal;
clinic ids, user ids and usernames are unique; an account's clinic is stored; a password is verified
against its hash only.

Runs on each adapter of ``conftest.ACCOUNTS`` and ``conftest.PASSWORD_HASHERS``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from baclofen.domain.errors import ConflictError, InvalidInputError, NotFoundError
from baclofen.domain.records import ClinicRecord, Role, UserRecord

HASH = "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo"
CLINIC = ClinicRecord("C-1", "North clinic")
NURSE = UserRecord("u-1", "C-1", Role.NURSE, "n.one", HASH)
PATIENT = UserRecord("u-2", "C-1", Role.PATIENT, "p.one", HASH, patient_id="P-1")


def test_a_stored_clinic_comes_back_equal_and_its_id_is_stored_once(accounts) -> None:
    clinics, _ = accounts
    clinics.add(CLINIC)

    assert clinics.get("C-1") == CLINIC
    with pytest.raises(ConflictError):
        clinics.add(ClinicRecord("C-1", "Another name"))
    with pytest.raises(NotFoundError):
        clinics.get("C-2")


def test_a_stored_user_comes_back_equal_by_id_and_by_username(accounts) -> None:
    clinics, users = accounts
    clinics.add(CLINIC)
    users.add(NURSE)
    users.add(PATIENT)

    assert users.get("u-1") == NURSE and users.by_username("n.one") == NURSE
    assert users.by_username("p.one") == PATIENT and users.get("u-2").patient_id == "P-1"


def test_usernames_and_user_ids_are_unique_and_case_sensitive(accounts) -> None:
    clinics, users = accounts
    clinics.add(CLINIC)
    users.add(NURSE)

    with pytest.raises(ConflictError):
        users.add(UserRecord("u-9", "C-1", Role.CLINICIAN, "n.one", HASH))
    with pytest.raises(ConflictError):
        users.add(UserRecord("u-1", "C-1", Role.CLINICIAN, "c.one", HASH))
    with pytest.raises(NotFoundError):
        users.by_username("N.ONE")


def test_a_user_of_a_clinic_that_is_not_stored_is_refused(accounts) -> None:
    _, users = accounts

    with pytest.raises(NotFoundError):
        users.add(NURSE)
    with pytest.raises(NotFoundError):
        users.get("u-1")


def test_a_malformed_id_or_username_is_an_input_error(accounts) -> None:
    clinics, users = accounts

    with pytest.raises(InvalidInputError):
        clinics.get(" C-1")
    with pytest.raises(InvalidInputError):
        users.by_username("two words")


def test_a_password_verifies_against_its_own_hash_only(password_hasher) -> None:
    first = password_hasher.hash("correct horse battery")
    second = password_hasher.hash("correct horse battery")

    assert first.startswith("$argon2id$") and first != second  # a fresh salt each time
    assert password_hasher.verify(first, "correct horse battery") and password_hasher.verify(
        second, "correct horse battery"
    )
    assert not password_hasher.verify(first, "correct horse batterY")
    assert not password_hasher.verify("not a hash", "correct horse battery")
    password_hasher.waste_time("anything")  # answers, and says nothing


NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


def test_a_revoked_token_no_longer_signs_its_user_in_and_others_still_do(accounts) -> None:
    clinics, users = accounts
    clinics.add(CLINIC)
    users.add(NURSE)

    assert users.get_signed_in("u-1", "sid-one") == NURSE
    users.revoke_token("u-1", "sid-one", NOW + timedelta(minutes=15), NOW)
    users.revoke_token("u-1", "sid-one", NOW + timedelta(minutes=15), NOW)  # twice is harmless

    with pytest.raises(NotFoundError):
        users.get_signed_in("u-1", "sid-one")
    assert users.get_signed_in("u-1", "sid-two") == NURSE
    with pytest.raises(NotFoundError):
        users.get_signed_in("u-9", "sid-two")


def test_a_revocation_is_forgotten_once_its_token_has_expired(accounts) -> None:
    clinics, users = accounts
    clinics.add(CLINIC)
    users.add(NURSE)
    users.revoke_token("u-1", "sid-old", NOW + timedelta(minutes=15), NOW)

    users.revoke_token("u-1", "sid-new", NOW + timedelta(hours=1), NOW + timedelta(minutes=20))

    # the old token has expired on its own (its signature says so): its revocation need not be kept
    assert users.get_signed_in("u-1", "sid-old") == NURSE
    with pytest.raises(NotFoundError):
        users.get_signed_in("u-1", "sid-new")


def test_ending_every_session_counts_a_new_generation_and_may_store_a_new_password_hash(accounts) -> None:
    clinics, users = accounts
    clinics.add(CLINIC)
    users.add(NURSE)
    new_hash = HASH.replace("aGFzaGhhc2hoYXNo", "bmV3aGFzaG5ld2hhc2g")

    ended = users.end_sessions("u-1")
    changed = users.end_sessions("u-1", new_hash)

    assert ended == replace(NURSE, session_generation=1)
    assert changed == replace(NURSE, session_generation=2, password_hash=new_hash)
    assert users.get("u-1") == changed and users.by_username("n.one") == changed
    with pytest.raises(NotFoundError):
        users.end_sessions("u-9")
