"""Checks that the change feed and the bulk export tell the same story.

Downloads one consultation's published comments twice with the Python client generated from
openapi/openapi.json: once by following the change feed (GET /api/v1/changes) from the start,
once from the consultation's bulk export (comments.jsonl and comments.csv), freshly written for
the check; then compares them comment by comment. Run it while nothing else writes:

    python compare_feed_export.py http://127.0.0.1:8080 ADMIN_TOKEN [CONSULTATION_ID]

The administrator's token is needed only to ask for a fresh export (an export written earlier
would not have the comments posted since). Without CONSULTATION_ID the consultation with the
most published comments is compared. Exits 1 when they disagree.
"""

import csv
import hashlib
import io
import json
import sys
import time
from datetime import datetime

from rabfang_client import AuthenticatedClient, Client
from rabfang_client.api.admin import request_export
from rabfang_client.api.changes import list_changes
from rabfang_client.api.exports import get_export_file, list_exports

COMPARED = ["id", "consultation_id", "provision_id", "stance", "body", "answers",
            "respondent_type", "publication", "author_name", "organisation_name", "province"]


def follow_feed(client):
    """Every comment the public sees now, by id, from the whole feed."""
    comments, after = {}, "0"
    while True:
        page = list_changes.sync(client=client, after=after, limit=1000)
        for item in page.items:
            change = item.to_dict()
            if change["object_type"] != "comment":
                continue
            if change["removed"]:
                comments.pop(int(change["object_id"]), None)
            else:
                comments[int(change["object_id"])] = change["comment"]
        after = page.next_cursor
        if not page.has_more:
            return comments


def datasets(client):
    out, cursor = {}, None
    while True:
        kwargs = {"cursor": cursor} if cursor else {}
        page = list_exports.sync(client=client, limit=200, **kwargs)
        for item in page.items:
            out[item.dataset] = item.to_dict()
        cursor = page.next_cursor
        if not cursor:
            return out


def fresh_export(client, admin, dataset):
    """Asks for a new export of `dataset` and waits until it is published."""
    before = datasets(client).get(dataset, {}).get("generation")
    answer = request_export.sync_detailed(client=admin, dataset=dataset)
    if answer.status_code != 202:
        sys.exit(f"asking for an export of {dataset}: {answer.status_code} {answer.content!r}")
    for _ in range(240):
        found = datasets(client).get(dataset)
        if found and found["generation"] != before:
            return found
        time.sleep(0.5)
    sys.exit(f"no new export of {dataset} within two minutes: is the worker running?")


def download(client, export, name):
    entry = next(f for f in export["files"] if f["name"] == name)
    answer = get_export_file.sync_detailed(client=client, dataset=export["dataset"],
                                           generation=export["generation"], file=name)
    if answer.status_code != 200:
        sys.exit(f"downloading {name}: {answer.status_code}")
    data = answer.content
    if hashlib.sha256(data).hexdigest() != entry["sha256"] or len(data) != entry["bytes"]:
        sys.exit(f"{name} does not match its manifest entry")
    return data


def normalise(comment):
    """Answers without their empty fields: the API leaves out what the export writes as null."""
    out = dict(comment)
    out["answers"] = [{k: v for k, v in a.items() if v is not None} for a in comment.get("answers") or []]
    return out


def main():
    base, token = sys.argv[1], sys.argv[2]
    client = Client(base_url=base, timeout=60)
    admin = AuthenticatedClient(base_url=base, token=token, timeout=60)
    feed = follow_feed(client)
    by_consultation = {}
    for c in feed.values():
        by_consultation.setdefault(c["consultation_id"], []).append(c)
    if len(sys.argv) > 3:
        consultation = int(sys.argv[3])
    elif by_consultation:
        consultation = max(by_consultation, key=lambda k: len(by_consultation[k]))
    else:
        sys.exit("no published comment to compare")
    export = fresh_export(client, admin, f"consultation-{consultation}")
    # The feed again, now that the export is written: nothing may have changed in between.
    feed = {i: c for i, c in follow_feed(client).items() if c["consultation_id"] == consultation}

    lines = download(client, export, "comments.jsonl").decode("utf-8").splitlines()
    exported = {row["id"]: row for row in map(json.loads, lines)}
    text = download(client, export, "comments.csv").decode("utf-8")
    assert text.startswith("\ufeff"), "the CSV starts with a byte-order mark"
    csv_ids = [int(r["id"]) for r in csv.DictReader(io.StringIO(text[1:]))]

    problems = []
    if sorted(csv_ids) != sorted(exported):
        problems.append("comments.csv and comments.jsonl list different comments")
    if sorted(feed) != sorted(exported):
        only_feed = sorted(set(feed) - set(exported))[:10]
        only_export = sorted(set(exported) - set(feed))[:10]
        problems.append(f"only in the feed: {only_feed}; only in the export: {only_export}")
    for cid in sorted(set(feed) & set(exported)):
        f, e = normalise(feed[cid]), normalise(exported[cid])
        for key in COMPARED:
            if f.get(key) != e.get(key):
                problems.append(f"comment {cid}: {key} is {f.get(key)!r} in the feed, {e.get(key)!r} in the export")
        same_time = datetime.fromisoformat(f["received_at"].replace("Z", "+00:00")) == \
            datetime.fromisoformat(e["received_at"].replace("Z", "+00:00"))
        if not same_time:
            problems.append(f"comment {cid}: received_at differs")
    print(f"consultation {consultation}: {len(feed)} comments in the feed, {len(exported)} in "
          f"export {export['generation']} ({len(csv_ids)} CSV rows)")
    for p in problems[:20]:
        print("  " + p)
    if problems:
        sys.exit(1)
    print("the feed and the export agree")


if __name__ == "__main__":
    main()
