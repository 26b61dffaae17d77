"""What the Review edits page shows for a compared DOCX: each block's state in words, its
changes as structured diff lines (rendered as ``<del>`` and ``<ins>``), and what an Apply wrote.

The comparison is :func:`drafter.harvest.harvest`'s; this module only words it for staff.  A
block whose provenance bookmark carries another hash than its wording's current text is
``outdated`` there.  Two different situations give that flag:

- the library's wording now reads as the filing (the reviewer's edit was applied, here or by
  ``drafter harvest --write``): nothing is left to do, and the block is not a problem;
- the wording was changed in the library after the file was downloaded: the comparison is with
  the library's current wording, so its differences mix the reviewer's edits with the library's
  later change, and nothing can be applied automatically.
"""

from __future__ import annotations


from drafter.harvest.compare import diff_lines

OUTDATED_SAID = ("This position's wording was changed in the library after this file was "
                 "downloaded: the differences below may be that change rather than a "
                 "reviewer's edit, so nothing here can be applied automatically. If the "
                 "reviewer edited this passage, compare by hand, or download the filing again "
                 "and redo the edit.")
OUTDATED_DIFF = "Differences from the library's current wording"
EDIT_DIFF = "The reviewer's edit"
STATES = {"edited": "edited", "applied": "applied",
          "outdated": "changed in the library since download", "deleted": "deleted",
          "unchanged": "unchanged", "in-library": "already in the library"}


def _outdated_note(block_id: str) -> str:
    return (f"block '{block_id}' changed in the library since the filing was drafted: "
            "compared with its current text, never written back")


def review_rows(result, workspace, library, applied: str | None = None) -> dict:
    """The Review edits page's data for a harvest ``result``.

    Returns ``blocks`` (one dict per block: ``id``, ``title`` (its id when the library does
    not have it), ``status`` as compared, ``state`` (``unchanged``, ``edited``, ``deleted``,
    ``applied``: its wording was written from this file, ``in-library``: the library's
    wording already reads as this file, or ``outdated``: changed in the library since the
    download), ``label`` (the state in words), ``wording`` (e.g. ``"US"``), ``anchor`` (its section on the position page:
    ``as-filed`` or the variant's name), ``path``
    (relative to ``workspace``), ``said`` (what staff should know, or ""), ``lines``
    (:func:`diff_lines`), ``diff_label`` and ``can_apply``), ``added``, ``notes`` (the
    harvest's notes but those ``said`` gives per block) and ``summary`` (counts by state).
    ``applied`` is the id of the block an Apply just wrote."""
    from drafter.web.app import wording_name
    from drafter.web.state import relative

    rows, per_block = [], set()
    for b in result.blocks:
        known = library is not None and b.id in library
        title = library.blocks[b.id].meta.title if known else b.id
        state, said = b.status, ""
        if b.id == applied:
            state = "applied"
        elif b.outdated and b.status == "unchanged":
            state = "in-library"
        elif b.outdated:
            state, said = "outdated", OUTDATED_SAID
        if b.outdated:
            per_block.add(_outdated_note(b.id))
        lines = diff_lines(b.original, b.edited, context=8) \
            if b.status == "edited" and state != "applied" else []
        rows.append({
            "id": b.id, "title": title, "status": b.status, "state": state,
            "label": STATES[state],
            "wording": wording_name(b.variant or None), "anchor": b.variant or "as-filed", "path": relative(workspace, b.path),
            "said": said, "lines": lines,
            "diff_label": OUTDATED_DIFF if state == "outdated" else EDIT_DIFF,
            "can_apply": state == "edited"})
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["state"]] = counts.get(row["state"], 0) + 1
    n = len(result.added)
    summary = (f"{len(rows)} block{'' if len(rows) == 1 else 's'}: " + ", ".join(
        f"{counts.get(state, 0)} {label}" for state, label in STATES.items()
        if state in ("edited", "deleted", "unchanged") or counts.get(state))
        + f"; {n} paragraph{'' if n == 1 else 's'} added")
    return {"blocks": rows, "added": [a.to_json() for a in result.added],
            "notes": [note for note in result.notes if note not in per_block],
            "summary": summary}


def applied_said(wording, title: str, variant: str, rel: str) -> list[tuple[str, str]]:
    """What an Apply that wrote ``wording`` (the block or variant as it was before, named
    ``variant``: "" for as filed) to ``rel`` says, as (kind, message) flashes: what was
    written, then that the wording now needs a reviewer's approval (again)."""
    from drafter.web.app import wording_name

    name = wording_name(variant or None)
    meta = wording.meta
    said = [("info", f"Applied the edit to “{title}”: wrote the reviewer's text into its "
                     f"{name} wording ({rel}).")]
    if meta.status.value == "approved":
        by = f" by {meta.approved_by}" if meta.approved_by else ""
        on = f" on {meta.approved_on.isoformat()}" if meta.approved_on else ""
        said.append(("warning", f"The {name} wording was approved{by}{on}; with this edit it "
                     "counts as not approved until a reviewer approves it again, on its "
                     "position page."))
    else:
        said.append(("warning", f"The {name} wording is a {meta.status.value}: it needs a "
                     "reviewer's approval, on its position page."))
    return said
