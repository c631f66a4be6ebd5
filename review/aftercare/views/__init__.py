"""Pages after acceptance: the clerk's (``clerk``, ``lists``), the applicant's and the unit's
(``mine``), and the public certificate pages (``public``)."""
