"""Searches find applicants whose name or ID number contains the term (``review.selectors.matching``);
on PostgreSQL the trigram indexes of ``accounts.0004_search_trigram`` answer that for a term of three
characters or more instead of reading every account (issue 16).  ``EXPLAIN`` with sequential scans
switched off: a test database is far too small for the planner to prefer an index by itself."""

from __future__ import annotations

import pytest
from django.db import connection

from applications.models import Application
from portal.accounts.models import User
from review.selectors import matching

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
    applicants = matching("阿依古丽").children[0][1]  # the subquery of the applicants a term finds
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
        return set(User.objects.filter(pk__in=matching(term).children[0][1]).values_list("pk", flat=True))

    for term in ("阿依古丽", "买买提", "19850312", "002x", "丽·买"):
        assert found.pk in applicants(term) and other.pk not in applicants(term), term
    assert applicants("王伟") == {other.pk} and applicants("65280119") == {found.pk, other.pk}


def test_a_name_is_not_asked_as_a_code_and_a_code_still_is(db):
    """A term that cannot be a code (not letters and digits) leaves "OR code = …" out, so that
    PostgreSQL can start from the applicants it finds; codes are still found, in any case."""
    def where(term):
        return str(Application.objects.filter(matching(term)).query).split(" WHERE ", 1)[1]

    assert '"code"' not in where("阿依古丽") and '"code"' not in where("王 伟")
    assert '"code" = AB12CD34' in where("ab12cd34") and '"code" = 652801' in where("652801")
