"""``consent-kit migrate-store --to postgresql://…``: copy a data folder into an empty database.

What is copied: every answer (in stored order) and every erased id (so a phone
retrying erased answers is still refused), every consent (with its current
choices) and every withdrawal, the consent texts shown, unsent drafts, the
audit log exactly as it is (same entries, same hashes), every table of
documents (accounts, budgets, places, vouchers ...), and the files of the
instance folder that every server needs: the survey files and pictures in
forms/, findings pictures and recordings (``store.media()``).

Then it checks: the counts in the database equal the counts in the folder, and
the audit chain in the database verifies. The folder is only read, never
changed, so if anything goes wrong nothing is lost: empty the database and
run it again.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

import consent_kit  # EmbeddedStore loads (with the store) only when the copy runs

if TYPE_CHECKING:  # psycopg loads only when the command runs: `consent-kit --help` stays quick
    from .store import PostgresStore

#: Tables of tables.json the store keeps elsewhere, or bookkeeping: not copied as documents.
NOT_DOCUMENTS = {"__last_ids__", "consent_texts"}


class MigrateError(click.ClickException):
    """The copy can't start or didn't check out; the message says what to do."""


def journal_lines(path: Path):
    """Each whole JSON line of a journal file (damaged ones are skipped, as the store does)."""
    try:
        handle = open(path, "rb")
    except FileNotFoundError:
        return
    with handle:
        for raw in handle:
            try:
                record = json.loads(raw)
            except ValueError:
                continue
            if isinstance(record, dict):
                yield record


def source_facts(data_dir: Path) -> dict:
    """What the folder holds beyond the Store API: consent events, tombstones, drafts, table names."""
    given, withdrawn = [], []
    for line in journal_lines(data_dir / "consents.jsonl"):
        if line.get("kind") == "given" and line.get("pseudonym"):
            given.append(line["pseudonym"])
        elif line.get("kind") == "withdrawn" and line.get("pseudonym"):
            withdrawn.append((line["pseudonym"], str(line.get("survey_id", "")), str(line.get("at", ""))))
    erased = [(str(line["id_sha256"]), str(line.get("for") or ""))
              for line in journal_lines(data_dir / "responses.jsonl") if line.get("kind") == "erased"]
    try:
        tables = json.loads((data_dir / "tables.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        tables = {}
    drafts = []
    for path in sorted((data_dir / "drafts").glob("*.json")):
        try:
            body = json.loads(path.read_bytes())
        except (ValueError, OSError):
            continue
        if isinstance(body, dict) and isinstance(body.get("expires_at"), int | float):
            drafts.append((path.stem, float(body["expires_at"])))  # the data is read through the store
    names = sorted(set(tables) - NOT_DOCUMENTS)
    return {"given": given, "withdrawn": withdrawn, "erased": erased, "drafts": drafts, "tables": names}


def _is_empty(target: PostgresStore) -> bool:
    with target._pool.connection() as conn:
        counts = [conn.execute(f"SELECT count(*) FROM {name}").fetchone()[0]  # noqa: S608 - fixed names
                  for name in ("responses", "consents", "withdrawals", "audit", "documents")]
    return not any(counts)


def copy_store(data_dir: Path, target: PostgresStore) -> dict:
    """Copy the folder's data into ``target`` (which must be empty); return what was copied."""
    if not _is_empty(target):
        raise MigrateError("The database already holds consent-kit data. migrate-store only copies "
                           "into an empty database, so nothing there is mixed up or overwritten.")
    facts = source_facts(data_dir)
    seal = target._sealer  # sealed again with each person's key, made in the copy's transaction
    with consent_kit.EmbeddedStore(data_dir) as source, target._pool.connection("the copy") as conn, \
            conn.cursor() as cur, target._keys.within(cur):
        copied = _copy_people(cur, source, facts, seal)
        copied.update(_copy_the_rest(cur, source, facts, seal))
    return copied


def _copy_people(cur, source, facts: dict, seal) -> dict:
    """Answers, erased ids, consents and withdrawals, in the copy's transaction; how many of each."""
    from psycopg.types.json import Json

    responses = 0
    for response in source.iter_responses():
        cur.execute("INSERT INTO responses (id, survey_id, pseudonym, record) VALUES (%s, %s, %s, %s)",
                    (response.id, response.survey_id, response.pseudonym,
                     Json(seal.seal_response(response.to_record()))))
        responses += 1
    cur.executemany("INSERT INTO erased_ids (id_sha256, for_sha256) VALUES (%s, %s) "
                    "ON CONFLICT DO NOTHING", facts["erased"])
    consents = 0
    for pseudonym in facts["given"]:
        record = source.get_consent(pseudonym)
        if record is not None:
            cur.execute("INSERT INTO consents (pseudonym, survey_id, code_hash, record) "
                        "VALUES (%s, %s, %s, %s)", (record.pseudonym, record.survey_id,
                                                    record.code_hash,
                                                    Json(seal.seal_consent(record.to_record()))))
            consents += 1
    cur.executemany("INSERT INTO withdrawals (pseudonym, survey_id, at) VALUES (%s, %s, %s) "
                    "ON CONFLICT DO NOTHING", facts["withdrawn"])
    return {"responses": responses, "consents": consents, "withdrawals": len(facts["withdrawn"]),
            "erased_ids": len({h for h, _ in facts["erased"]})}


def _copy_the_rest(cur, source, facts: dict, seal) -> dict:
    """Consent texts, drafts, the audit log and the studio's tables; how many of each."""
    from psycopg.types.json import Json, Jsonb

    from . import audit as audit_log

    texts = source.documents("consent_texts").find()
    cur.executemany("INSERT INTO consent_texts (version, text) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                    [(doc["version"], Json(doc["text"])) for doc in texts])
    drafts = [(i, expires, source.load_draft(i)) for i, expires in facts["drafts"]]
    drafts = [(i, expires, Json(seal.seal_draft(i, {"expires_at": expires, "data": data})))
              for i, expires, data in drafts if data is not None]
    cur.executemany("INSERT INTO drafts (id, expires_at, data) VALUES (%s, %s, %s)", drafts)
    entries = 0
    for entry in source.iter_audit():
        audit_log.copy_entry(cur, entry)
        entries += 1
    documents = {}
    for name in facts["tables"]:
        docs = source.documents(name).find()
        cur.executemany("INSERT INTO documents (name, doc) VALUES (%s, %s)",
                        [(name, Jsonb(doc)) for doc in docs])
        documents[name] = len(docs)
    return {"consent_texts": len(texts), "drafts": len(drafts), "audit": entries, "documents": documents}


def check_copy(data_dir: Path, target: PostgresStore, copied: dict) -> list[str]:
    """Compare the database with the folder; return the differences in plain words (none: all good)."""
    problems = []
    with consent_kit.EmbeddedStore(data_dir) as source:
        if target.count_responses() != source.count_responses():
            problems.append(f"answers: {source.count_responses()} in the folder, "
                            f"{target.count_responses()} in the database")
        for survey_id in {r.survey_id for r in source.iter_responses()}:
            if target.count_responses(survey_id) != source.count_responses(survey_id):
                problems.append(f"answers to {survey_id} differ")
            if target.consent_counts(survey_id) != source.consent_counts(survey_id):
                problems.append(f"consents to {survey_id} differ")
        if sum(1 for _ in target.iter_audit()) != sum(1 for _ in source.iter_audit()):
            problems.append("the audit logs have different lengths")
        for name, count in copied["documents"].items():
            if target.documents(name).count() != count:
                problems.append(f"the table {name} differs")
    problems += [f"audit log: {p}" for p in target.verify_audit()]
    return problems


#: The instance's folders of uploaded and published files, and their names in the store's media
#: (the prefixes of consent_kit's Workspace, findings pictures and recordings).
FILE_FOLDERS = (("forms", "forms/"), ("findings-pictures", "findings-pictures/"),
                ("accessible_formats/recordings", "recordings/"))


def copy_files(instance: Path, target: PostgresStore) -> tuple[int, list[str]]:
    """Copy the folder's survey files, pictures and recordings into the database's media.

    Every server then has them, not just this one. Returns how many were copied
    and the files that could not be (a name or size the store refuses).
    """
    media, copied, skipped = target.media(), 0, []
    for folder, prefix in FILE_FOLDERS:
        root = instance / folder
        if not root.is_dir():
            continue
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            relative = path.relative_to(root).as_posix()
            if any(part.startswith(".") for part in relative.split("/")) or path.suffix in (".tmp", ".part"):
                continue  # hidden files and half-written temporary ones
            try:
                media.put(prefix + relative, path.read_bytes())
                copied += 1
            except ValueError:
                skipped.append(f"{folder}/{relative}")
    return copied, skipped


def _config_store_key(instance: Path) -> str | None:
    """``store_key`` from the folder's config.toml, if it sets one."""
    import tomllib

    try:
        with open(instance / "config.toml", "rb") as handle:
            return tomllib.load(handle).get("store_key") or None
    except (FileNotFoundError, tomllib.TOMLDecodeError):
        return None


@click.command("migrate-store")
@click.option("--to", "url", required=True, metavar="postgresql://…",
              help="The empty PostgreSQL database to copy into, e.g. postgresql://ck@db.example.org/ck")
@click.option("--schema", default="", help="Copy into this schema of the database (default: the usual one).")
@click.option("--instance", type=click.Path(file_okay=False, path_type=Path),
              envvar="CONSENT_KIT_INSTANCE", default="instance", show_default=True,
              help="The consent-kit folder to copy from (or set CONSENT_KIT_INSTANCE).")
def migrate_store_command(url: str, schema: str, instance: Path):
    """Copy this folder's answers, consents, audit log and tables into an empty PostgreSQL database."""
    if not url.startswith(("postgresql://", "postgres://")):
        raise MigrateError("--to must be a PostgreSQL address starting postgresql://")
    try:
        from .store import PostgresStore
    except ImportError:
        raise MigrateError("PostgreSQL support isn't installed. Install it with: "
                           "pip install 'consent-kit[postgresql]'") from None
    data_dir = instance / "data"
    if not data_dir.is_dir():
        raise MigrateError(f"There is no data folder at {data_dir}: is --instance right?")
    # The instance key stays the folder's (store_key, CONSENT_KIT_STORE_KEY or data/store.key):
    # give the same one to every server that will use the database.
    target = PostgresStore(url, schema=schema or None, key_dir=str(data_dir),
                           store_key=_config_store_key(instance))
    try:
        copied = copy_store(data_dir, target)
        problems = check_copy(data_dir, target, copied)
        files, skipped = copy_files(instance, target)
    finally:
        target.close()
    tables = sum(copied["documents"].values())
    click.echo(f"Copied {copied['responses']} answer(s), {copied['consents']} consent(s), "
               f"{copied['withdrawals']} withdrawal(s), {copied['audit']} audit entr(ies) and "
               f"{tables} document(s) in {len(copied['documents'])} table(s), and {files} file(s) "
               f"(surveys, pictures, recordings).")
    for name in skipped:
        click.echo(f"Not copied (a name or size the database can't keep): {name}", err=True)
    if problems:
        raise MigrateError("The copy does not match the folder: " + "; ".join(problems))
    click.echo("Counts match and the audit log checks out. Now set database_url in config.toml "
               "(see docs/scaling.md) and restart the servers.")
