"""The DfE SSDA903 rules page: each DfE rule about the tables the standard takes, and the mcds codes that
report the same fault, from ``dfe_rules`` in ``src/mcds/convert/ssda903.yaml`` (the converter's data)."""

from __future__ import annotations

from mcds.catalogue import catalogue
from mcds.convert.base import load_data

from .markdown import code, header, md_table


def _rule_order(rule: str) -> tuple[int, int, str]:
    """Numbered rules by number, then the INT checks by theirs."""
    digits = "".join(ch for ch in rule if ch.isdigit())
    return (rule.startswith("INT"), int(digits or 0), rule)


def dfe_rules_page() -> str:
    spec = load_data("ssda903")
    kinds = catalogue()
    rows, notes = [], []
    for rule in sorted(spec["dfe_rules"], key=_rule_order):
        entry = spec["dfe_rules"][rule]
        codes = ", ".join(f"[{code(c)}](issues.md#{c})" for c in entry["codes"])
        where = sorted({"conversion" if c.startswith("source-") else "validation" for c in entry["codes"]})
        severity = ", ".join(sorted({kinds[c].severity.value for c in entry["codes"]}))
        if entry.get("severity"):
            severity += f" (note {len(notes) + 1})"
            notes.append(f"{len(notes) + 1}. Rule {rule}: {entry['severity']}\n")
        rows.append([rule, entry["meaning"], codes, " and ".join(where), severity])
    others = [[", ".join(sorted(group["rules"], key=_rule_order)), group["reason"]]
              for group in spec["dfe_rules_not_applied"]]
    return "".join([
        header("src/mcds/convert/ssda903.yaml (dfe_rules)"),
        "# DfE SSDA903 rules\n\n",
        "Councils check their SSDA903 return with the DfE's rules (in DfE COLLECT, or Data to Insight's validator, "
        "which re-implements them). This table gives, for each DfE rule about the tables the standard takes from a "
        "return (Header, Episodes, UASC and Missing) and what it records, the `mcds` issue codes that report the "
        "same fault, so that an analyst who knows the DfE's rule finds its code here.\n\n",
        "`mcds convert ssda903` makes the checks marked *conversion* on the return itself (codes beginning "
        "`source-`, each citing the DfE rule in its message); the rest are the standard's own checks, made when "
        "the converted package is validated. `mcds convert` validates what it writes and reports every issue in the "
        "return's own coordinates: the file, the row as Excel shows it, the column letter and the 903 column name "
        "(for the XML form, the element's path and line), and, in the JSON report, the child's identifier.\n\n",
        "Data to Insight's validator, the source of the DfE's rules read here, gives every rule the same weight "
        "(it has no severities), and `mcds` takes each as an error: every conversion check (`source-`) that "
        "follows a DfE rule is an error. Where the standard's own check of the same fault is a query, the note "
        "under the table says why.\n\n",
        md_table(["DfE rule", "What it checks", "mcds codes", "Checked at", "Severity"], rows),
        "\n", *notes,
        "\n## DfE rules that do not apply\n\n",
        "These DfE rules read the Header, UASC or Missing tables, or compare the Episodes table with last year's, "
        "but what they check is not in the standard. Each group says why. The DfE's rules on the Episodes table "
        "alone (the codes and dates of the episodes of care) are not listed here; its rules on the other tables of "
        "the return concern what the standard does not record.\n\n",
        md_table(["DfE rules", "Why they do not apply"], others),
        "\nWhere the DfE's rule and the standard differ, the standard says so in the code's guidance (the age "
        "`uasc-under-10` queries follows rule 231 by collection year).\n",
    ])
