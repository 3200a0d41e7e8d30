"""Error codes of the registry app (in the style of Saleor's ``error_codes.py``).

Every error the registry import raises or records carries one of these codes, so that callers (the command,
the import page, tests) can tell the kinds of failure apart without reading the (translated) message.
"""

from __future__ import annotations

from enum import Enum


class RegistryImportErrorCode(Enum):
    # -- the file as a whole (nothing is written) ------------------------------------------------------------------
    FILE_NOT_FOUND = "file_not_found"
    DOWNLOAD_FAILED = "download_failed"
    FILE_TOO_LARGE = "file_too_large"
    EMPTY_FILE = "empty_file"
    NOT_JSON = "not_json"
    NOT_AN_OBJECT = "not_an_object"
    NO_RECORD_LIST = "no_record_list"
    RECORD_NOT_AN_OBJECT = "record_not_an_object"
    NESTED_TOO_DEEP = "nested_too_deep"
    TOO_MANY_RECORDS = "too_many_records"
    NUMBER_OUT_OF_RANGE = "number_out_of_range"
    NO_VALID_RECORD = "no_valid_record"
    TOO_FEW_RECORDS = "too_few_records"
    # -- one record (it is skipped and listed) ---------------------------------------------------------------------
    INVALID = "invalid"
    REQUIRED = "required"
    OUT_OF_RANGE = "out_of_range"
    DUPLICATE = "duplicate"
    # -- the run ---------------------------------------------------------------------------------------------------
    WORKER_STOPPED = "worker_stopped"
    STALLED = "stalled"
    TASK_LOST = "task_lost"
