"""The consultation's deadline: passed, or within ``check.deadline_warning_days``; and a filing
date after the deadline."""

from drafter.check.rule import Rule


def check_draft(d, report):
    deadline = d.model.deadline
    if deadline is None:
        return
    line = d.consultation_line("deadline")
    col = d.consultation.smap.locate(("deadline",))[1]
    date = d.model.date
    if date is not None and date > deadline:
        report(f"the filing is dated {date.isoformat()}, after the deadline "
               f"{deadline.isoformat()}", d.path, line, col)
        return
    days = (deadline - d.today).days
    if days < 0 and date is None:
        report(f"the deadline {deadline.isoformat()} passed {_days(-days)} ago", d.path, line,
               col)
    elif 0 <= days <= d.settings.deadline_warning_days:
        when = "today" if days == 0 else f"in {_days(days)}"
        report(f"the deadline {deadline.isoformat()} is {when}", d.path, line, col)


def _days(n: int) -> str:
    return "1 day" if n == 1 else f"{n:,} days"


RULE = Rule("deadline", "warning", "deadlines passed or close", check_draft=check_draft)
