"""Searches find applicants whose name or ID number contains the term (``review.selectors.matching``);
on PostgreSQL the trigram indexes of ``accounts.0004_search_trigram`` answer that for a term of three
characters or more instead of reading every account (issue 16).  ``EXPLAIN`` with sequential scans
switched off: a test database is far too small for the planner to prefer an index by itself."""

from __future__ import annotations

import pytest
from django.db import connection

from applications.models import Application
from portal.accounts.models import User
from review import selectors
from tests.factories import ApplicationFactory
from review.selectors import applicants_matching, matching

pytestmark = pytest.mark.postgres


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("pg_trgm: PostgreSQL")


def test_the_trigram_indexes_exist_and_answer_a_search_s_applicants(db, postgres_only):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s", [User._meta.db_table])
        names = {row[0] for row in cursor.fetchall()}
    assert {"accounts_user_real_name_trgm", "accounts_user_id_number_trgm"} <= names
    applicants = applicants_matching("阿依古丽").values("pk")
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        try:
            plan = applicants.explain()
        finally:
            cursor.execute("RESET enable_seqscan")
    assert "accounts_user_real_name_trgm" in plan and "accounts_user_id_number_trgm" in plan, plan


def test_a_search_finds_names_and_id_numbers_that_contain_the_term(db):
    """The same answers with or without the indexes (and on SQLite): "contains", names as typed, ID
    numbers in any case; a code matches exactly."""
    found = User.objects.create(username="trgm1", real_name="阿依古丽·买买提", id_number="65280119850312002X")
    other = User.objects.create(username="trgm2", real_name="王伟", id_number="652801199001010011")

    def applicants(term):
        return set(applicants_matching(term).values_list("pk", flat=True))

    for term in ("阿依古丽", "买买提", "19850312", "002x", "丽·买"):
        assert found.pk in applicants(term) and other.pk not in applicants(term), term
    assert applicants("王伟") == {other.pk} and applicants("65280119") == {found.pk, other.pk}


def test_a_name_is_not_asked_as_a_code_and_a_code_still_is(db):
    """A term that cannot be a code (not letters and digits) leaves "OR code = …" out, so that
    PostgreSQL can start from the applicants it finds; codes are still found, in any case."""
    User.objects.create(username="trgm3", real_name="阿依古丽", id_number="652801198503120011")
    User.objects.create(username="trgm4", real_name="王 伟", id_number="652801198503120038")

    def where(term):
        return str(Application.objects.filter(matching(term)).query).split(" WHERE ", 1)[1]

    assert '"code"' not in where("阿依古丽") and '"code"' not in where("王 伟")
    assert '"code" = AB12CD34' in where("ab12cd34") and '"code" = 652801' in where("652801")


def test_a_search_finds_the_same_applications_whether_its_applicants_are_few_or_many(demo_campaign, monkeypatch):
    """``matching`` lists the applicants a term finds by id when they are few and checks each
    application against its own applicant when they are many (a region code): the same answers."""
    mine = ApplicationFactory(applicant__real_name="阿依古丽·买买提", applicant__id_number="65280119850312002X")
    other = ApplicationFactory(applicant__real_name="王伟", applicant__id_number="652822199001010011")
    assert mine.code and mine.code != other.code

    def found(term):
        return set(Application.objects.filter(matching(term)).values_list("pk", flat=True))

    terms = ("阿依古丽", "002x", "6528", "652801", "王伟", "nobody", mine.code.lower())
    few = {term: found(term) for term in terms}
    monkeypatch.setattr(selectors, "LISTED_APPLICANTS", 0)  # every term's applicants are "many"
    many = {term: found(term) for term in terms}
    assert few == many
    assert few["阿依古丽"] == few["002x"] == few["652801"] == few[mine.code.lower()] == {mine.pk}
    assert few["6528"] == {mine.pk, other.pk} and few["王伟"] == {other.pk} and few["nobody"] == set()
