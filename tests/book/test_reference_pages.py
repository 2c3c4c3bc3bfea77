"""The reference pages: bibliography, glossary, the registry tables behind the data page, the CLI help walk."""

import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = ROOT / "chapters"


def _bib_entries():
    text = (ROOT / "references.bib").read_text()
    return {m.group(1): m.group(2) for m in re.finditer(r"@\w+\{([^,]+),(.*?)\n\}", text, re.S)}


def _toc_files():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return [toc["root"]] + [c["file"] for part in toc["parts"] for c in part["chapters"]]


def _glossary_terms():
    text = (CHAPTERS / "notation.md").read_text()
    terms = []
    for block in re.findall(r"```\{glossary\}\n(.*?)\n```", text, re.S):
        terms += [line.strip() for line in block.splitlines() if line.strip() and not line.startswith(" ")]
    return terms


def test_every_cited_key_is_in_the_bibliography():
    keys = _bib_entries()
    cited = set()
    for page in CHAPTERS.glob("*.md"):
        for group in re.findall(r"\{cite(?::\w+)?\}`([^`]+)`", page.read_text()):
            cited |= {k.strip() for k in group.split(",")}
    assert cited, "no page cites anything"
    assert cited <= set(keys), sorted(cited - set(keys))


def test_every_entry_links_somewhere():
    for key, body in _bib_entries().items():
        assert re.search(r"\burl\s*=\s*\{https://", body), key
        eprint = re.search(r"eprint\s*=\s*\{([^}]+)\}", body)
        if eprint:
            assert re.fullmatch(r"\d{4}\.\d{5}", eprint.group(1)), key
            assert f"arxiv.org/abs/{eprint.group(1)}" in body, key


@pytest.mark.parametrize("arxiv_id, key", [
    ("2203.15556", "hoffmann2022"), ("2001.08361", "kaplan2020"), ("2404.10102", "besiroglu2024"),
    ("2406.19146", "porian2024"), ("2302.13971", "touvron2023llama"), ("2307.09288", "touvron2023llama2"),
    ("2112.11446", "rae2021"), ("2005.14165", "brown2020"), ("2401.00448", "sardana2023"),
    ("2403.08540", "gadre2024"), ("2305.16264", "muennighoff2023"), ("2009.03300", "hendrycks2021"),
    ("2407.21783", "dubey2024llama3"), ("2401.02954", "deepseek2024"),
])
def test_the_papers_arxiv_ids(arxiv_id, key):
    """The ids as chinchilla_lib/data/README.md and the papers' own front pages give them."""
    assert f"eprint        = {{{arxiv_id}}}" in _bib_entries()[key]


def test_every_arxiv_id_named_in_the_data_notes_is_in_the_bibliography():
    named = set(re.findall(r"arXiv (\d{4}\.\d{5})", (ROOT / "chinchilla_lib" / "data" / "README.md").read_text()))
    assert named
    eprints = set(re.findall(r"eprint\s*=\s*\{([^}]+)\}", (ROOT / "references.bib").read_text()))
    assert named <= eprints, sorted(named - eprints)


def test_every_page_in_the_toc_links_the_notation():
    for page in _toc_files():
        if page.endswith(("notation", "references", "api_reference", "cli_reference")):
            continue
        assert "{doc}`notation`" in (ROOT / f"{page}.md").read_text(), page


def test_the_appendix_comes_after_our_own_runs():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    captions = [p["caption"] for p in toc["parts"]]
    assert captions.index("Appendix") == captions.index("Our own runs") + 1


def test_the_glossary_defines_every_law_name_and_scorecard_status():
    from chinchilla_lib.approaches.allocations import allocation_names
    from chinchilla_lib.book import STATUS_STYLES
    from chinchilla_lib.laws import law_names

    terms = set(_glossary_terms())
    names = set(law_names()) | set(allocation_names())
    assert names <= terms, sorted(names - terms)
    statuses = {s for s in STATUS_STYLES if s != "self-check failed"}  # defined under "self-check"
    assert statuses <= terms, sorted(statuses - terms)
    assert {"N", "D", "C", "6ND", "E", "L(N, D)", "IsoFLOP", "envelope", "bootstrap interval"} <= terms


def test_name_table_lists_every_name_plan_accepts_once():
    from chinchilla_lib.approaches.allocations import allocation_names, name_table
    from chinchilla_lib.laws import law_names

    table = name_table(include_refits=False)
    assert table["name"].is_unique
    assert set(table["name"]) == set(law_names()) | set(allocation_names(include_refits=False))
    kinds = table.set_index("name")["kind"]
    # a name of chinchilla_lib/data/laws.csv gives a loss; Table 3's power law and Kaplan's rule do not
    assert kinds["paper"] == "law" and kinds["replication"] == "law"
    assert kinds["approach1-table3"] == "allocation" and kinds["kaplan"] == "allocation"


def test_external_sets_table_matches_the_pins():
    from chinchilla_lib.datasets import external

    sets = external.external_sets_table()
    pins = pd.read_csv(external.SETS_FILE, dtype=str)
    assert list(sets["repo"]) == list(pins["repo"]) and list(sets["commit"]) == list(pins["commit"])
    n_pinned = sum(1 for line in external.REGISTRY_FILE.read_text().splitlines()
                   if line.strip() and not line.startswith("#"))
    assert sets["n_files"].sum() == n_pinned
    by_repo = sets.set_index("repo")
    assert not by_repo.loc["epoch-research/analyzing-chinchilla", "redistributable"]  # no licence upstream
    assert by_repo.loc["formll/resolving-scaling-law-discrepancies", "redistributable"]  # MIT
    assert all(a.endswith(c) for a, c in zip(sets["address"], sets["commit"]))


def test_external_files_table_has_every_hash():
    from chinchilla_lib.datasets import external

    files = external.external_files_table()
    assert len(files) == len(external.EXTERNAL_FILES)
    assert files["sha256"].str.fullmatch(r"[0-9a-f]{64}").all()
    assert all(f"/{r}/" in u and u.endswith(p) for r, p, u in zip(files["repo"], files["path"], files["url"]))


def test_paper_files_table_follows_the_data_notes(tmp_path):
    from chinchilla_lib.datasets import DataFileError
    from chinchilla_lib.datasets.paper_tables import paper_files_table

    table = paper_files_table()
    paper = table[table["section"] == "paper tables"].set_index("file")
    assert paper.loc["tableA9_models.csv", "rows"] == 50  # the paper's Table A9 has 50 models
    assert "H22 Table A9" in paper.loc["tableA9_models.csv", "source"]
    assert paper.loc["later_studies.csv", "status"] == "unverified"
    assert (table["section"] != "paper tables").any()  # our own runs are listed too
    (tmp_path / "README.md").write_text("| file | what | source |\n|---|---|---|\n| `gone.csv` | x | y |\n")
    with pytest.raises(DataFileError, match="gone.csv"):
        paper_files_table(tmp_path)


def test_subcommand_parsers_gives_every_command_and_its_help():
    from chinchilla_lib import cli

    commands = cli.subcommand_parsers()
    assert {"plan", "flops", "fit", "scorecard"} <= set(commands)
    assert "--law" in commands["plan"].format_help()
    assert "--approach" in commands["fit"].format_help()
