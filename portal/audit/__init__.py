"""The audit log: one ``AuditEvent`` per change of data, written by the service that makes the
change, in its transaction (``portal.audit.services.audit_record``)."""
