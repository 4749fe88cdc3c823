"""Domain errors of the waiting room (mapped to RFC 9457 problems by project/problems.py)."""

from project.errors import DomainError


class WaitingRoomError(DomainError):
    pass


class AdmissionRequired(WaitingRoomError):
    status, code, title = 403, "admission_required", "Admission required"
    default_detail = "Many people want tickets for this performance: join the waiting " \
                     "room (POST /api/v1/performances/{id}/waiting-room/) and reserve " \
                     "with the admission it gives you, in the Admission header."


class AdmissionInvalid(WaitingRoomError):
    status, code, title = 403, "admission_invalid", "Admission invalid"
    default_detail = "This admission is not valid for you and this performance: join " \
                     "the waiting room to get one."


class AdmissionExpired(WaitingRoomError):
    status, code, title = 403, "admission_expired", "Admission expired"
    default_detail = "This admission has expired: ask the waiting room for a new one " \
                     "(your place in it is kept)."


class NotQueued(WaitingRoomError):
    status, code, title = 404, "not_found", "Not found"
    default_detail = "You are not in this performance's waiting room."


class PerformanceNotFound(WaitingRoomError):
    status, code, title = 404, "not_found", "Not found"
    default_detail = "No such performance."
