"""Generate the synthetic example submissions in fixtures/valid/ (fixed seed; never real data).

Each council gets a CSV package (``fixtures/valid/<slug>/``) and the same data in JSON form
(``fixtures/valid/<slug>.json``). The data is made to look like real councils' data:
UASC are mostly boys aged 15 to 17, trafficked children go missing far more often and
for longer, some councils do not distinguish missing from away, and return interviews
are often late. Every row keeps to the standard's rules.

    python scripts/make_fixtures.py
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import random
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from mcds import standard as std  # noqa: E402
from mcds.submission import Submission, write_csv_package, write_json  # noqa: E402

SEED = 20261125
# A demonstration key for synthetic data only. A council's real key is never in the repo.
DEMO_KEY = b"synthetic-fixtures-demo-key-not-for-real-data-000000"
D = dt.date


@dataclass(frozen=True)
class Council:
    slug: str
    old_la_code: str
    new_la_code: str
    children: int
    uasc_share: float
    distinguishes_away: bool
    neighbours: tuple[str, ...]  # ONS codes of councils nearby: placements out of area, children found there


COUNCILS = (
    Council("kent", "886", "E10000016", 420, 0.35, True, ("E06000035", "E10000032", "E06000034", "E09000006")),
    Council("croydon", "306", "E09000008", 330, 0.25, False, ("E09000029", "E09000022", "E10000030", "E09000006")),
    Council("manchester", "352", "E08000003", 260, 0.08, True, ("E08000009", "E08000007", "E08000006", "E08000004")),
)
# What version 1.1 added is drawn from a second generator, so that everything 1.0 held stays as it was.
NEW_SEED = SEED + 11
PERIOD = (D(2024, 4, 1), D(2025, 3, 31))
UASC_NATIONALITIES = ["AFG", "ERI", "SDN", "IRN", "SYR", "VNM", "ALB", "IRQ", "ETH", "EGY"]
UASC_ETHNICITY = {"AFG": "AOTH", "ERI": "BAFR", "SDN": "BAFR", "IRN": "OOTH", "SYR": "OOTH", "VNM": "AOTH",
                  "ALB": "WOTH", "IRQ": "OOTH", "ETH": "BAFR", "EGY": "OOTH"}
ETHNICITY = ["WBRI"] * 14 + ["WOTH", "MWBC", "MWBA", "MWAS", "MOTH", "BCRB", "BAFR", "BOTH", "APKN", "AIND",
                              "ABAN", "AOTH", "WROM", "NOBT"]


def pseudonym(local_id: str) -> str:
    return hmac.new(DEMO_KEY, local_id.encode(), hashlib.sha256).hexdigest()[:32]


def iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


def add_years(d: dt.date, years: int) -> dt.date:
    return d.replace(year=d.year + years)


def make_council(c: Council, rng: random.Random, new: random.Random | None = None) -> Submission:
    """One council's submission; ``new`` draws the values of fields added since 1.0."""
    new = new or random.Random(NEW_SEED)
    start, end = PERIOD
    sub = Submission({
        "standard_version": std.current_version(), "old_la_code": c.old_la_code, "new_la_code": c.new_la_code,
        "period_start": iso(start), "period_end": iso(end), "software": "mcds fixtures generator",
        "created": "2025-05-01T09:00:00Z", "pseudonymised": "true",
    })
    children, placements, episodes = sub.rows("children"), sub.rows("placements"), sub.rows("missing_episodes")
    interviews, links = sub.rows("return_interviews"), sub.rows("interview_episodes")
    referrals = sub.rows("nrm_referrals")
    pid = eid = iid = 0
    for n in range(c.children):
        cid = pseudonym(f"{c.slug}-{n}")
        uasc = rng.random() < c.uasc_share
        if uasc:
            age_at_start = rng.choices([13, 14, 15, 16, 17], [2, 6, 22, 40, 30])[0]
            sex = "M" if rng.random() < 0.9 else "F"
            nat = rng.choice(UASC_NATIONALITIES)
            eth = UASC_ETHNICITY[nat]
        else:
            age_at_start = rng.choices(range(18), [3, 3, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 7, 8, 8, 8, 7])[0]
            sex = rng.choice("MMF" if rng.random() < 0.5 else "MF")
            nat = "GBR" if rng.random() < 0.93 else rng.choice(["POL", "ROU", "NGA", "JAM", None])
            eth = rng.choice(ETHNICITY)
        birth = start - dt.timedelta(days=int((age_at_start + rng.random()) * 365.25))
        birth_month = birth.replace(day=1)
        adult = add_years(birth_month, 18)  # earliest possible 18th birthday
        risk_group = nat in ("VNM", "ALB", "ERI")
        r = rng.random()
        concern = "none_known"
        if uasc and r < (0.30 if risk_group else 0.12):
            concern = "identified" if rng.random() < 0.45 else "suspected"
        elif not uasc and age_at_start >= 11 and r < 0.05:
            concern = "identified" if rng.random() < 0.35 else "suspected"

        # Care: one continuous period made of 1 to 3 episodes of care.
        if uasc:
            care_start = start - dt.timedelta(days=rng.randint(-300, 500))
        else:
            care_start = start - dt.timedelta(days=rng.randint(-330, 2000))
        care_start = max(care_start, birth + dt.timedelta(days=1))
        care_start = min(care_start, adult - dt.timedelta(days=60), end - dt.timedelta(days=10))
        care_end = None
        if adult <= end:
            care_end = adult - dt.timedelta(days=1)
        elif rng.random() < 0.12:
            care_end = care_start + dt.timedelta(days=rng.randint(40, 700))
            care_end = care_end if care_end <= end else None
        if care_end is not None and care_end < start:
            care_end = start + dt.timedelta(days=rng.randint(5, 60))
        # A few older trafficked UASC turn 18 while still missing: care ends with E8.
        missing_at_end = uasc and concern != "none_known" and care_end is not None and care_end >= start + \
            dt.timedelta(days=60) and rng.random() < 0.25

        n_eps = rng.choice([1, 1, 2, 3])
        cuts = sorted({care_start + dt.timedelta(days=rng.randint(20, 400)) for _ in range(n_eps - 1)})
        cuts = [d for d in cuts if d < (care_end or end) - dt.timedelta(days=5)]
        bounds = [care_start, *cuts]
        legal = "V2" if uasc else rng.choice(["C2", "C2", "C1", "V2", "E1"])
        my_placements = []
        for k, b in enumerate(bounds):
            pid += 1
            last = k == len(bounds) - 1
            p_end = care_end if last else bounds[k + 1]
            ptype = rng.choice(["U4", "U6", "U6", "K2", "K3"] if uasc or age_at_start >= 12 else ["U1", "U3", "U4", "U6"])
            if p_end is not None and p_end < D(2024, 4, 1) and ptype == "K3":
                ptype = "U6"
            if last and care_end is not None:
                reason = "E8" if missing_at_end else rng.choice(["E17", "E5", "E6"] if adult <= end else ["E4A", "E13", "E41"])
            elif not last:
                reason = "X1"
            else:
                reason = None
            row = {"placement_id": f"P{pid}", "child_id": cid, "start_date": iso(b), "end_date": iso(p_end),
                   "legal_status": legal, "placement_type": ptype,
                   "placement_provider": rng.choice(["PR1", "PR4", "PR4", "PR5"]),
                   "in_council_area": "true" if rng.random() < 0.6 else "false", "end_reason": reason}
            row["placed_in_council"] = c.new_la_code if row["in_council_area"] == "true" else new.choice(c.neighbours)
            if ptype in ("K2", "K3"):  # a children's home or supported accommodation: its URN, hashed
                row["provider_urn"] = pseudonym(f"urn-{c.slug}-{new.randint(1, 25)}")
            placements.append(row)
            my_placements.append((b, p_end, row["placement_id"]))

        exploitation = None
        nrm = {}
        if concern != "none_known":
            kinds = rng.sample(["criminal", "sexual", "labour", "domestic_servitude"], rng.choice([1, 1, 2]))
            exploitation = ";".join(sorted(kinds))
            if concern == "identified" or rng.random() < 0.5:
                ref = max(care_start, start - dt.timedelta(days=200)) + dt.timedelta(days=rng.randint(0, 120))
                ref = min(ref, end - dt.timedelta(days=40))
                rg = ref + dt.timedelta(days=rng.randint(3, 25))
                nrm = {"nrm_referral_date": iso(ref)}
                if concern == "identified":
                    nrm.update(nrm_reasonable_grounds_decision="positive", nrm_reasonable_grounds_date=iso(rg))
                    if rng.random() < 0.6 and rg + dt.timedelta(days=60) < end:
                        nrm.update(nrm_conclusive_grounds_decision="positive",
                                   nrm_conclusive_grounds_date=iso(rg + dt.timedelta(days=rng.randint(45, 200))))
                    else:
                        nrm.update(nrm_conclusive_grounds_decision="pending")
                else:
                    nrm.update(nrm_reasonable_grounds_decision="pending")
                cg = nrm.get("nrm_conclusive_grounds_decision")
                referrals.append({
                    "referral_id": f"NRM{len(referrals) + 1}", "child_id": cid, "referral_date": nrm["nrm_referral_date"],
                    "competent_authority": new.choice(["sca", "sca", "sca", "devolved_pilot"]),
                    "reasonable_grounds_decision": nrm.get("nrm_reasonable_grounds_decision"),
                    "reasonable_grounds_date": nrm.get("nrm_reasonable_grounds_date"),
                    "conclusive_grounds_decision": cg, "conclusive_grounds_date": nrm.get("nrm_conclusive_grounds_date"),
                    "status": "concluded" if cg == "positive" else "open", "reconsidered": "false",
                    "referred_while_missing": "false", "age_at_exploitation": "under_18",
                    "exploitation_types": exploitation,
                    "county_lines": "true" if "criminal" in exploitation and new.random() < 0.4 else None,
                })
        factors = [f for f, on in (("9A", uasc), ("12A", concern != "none_known"),
                                   ("24A", exploitation and "criminal" in exploitation),
                                   ("11A", exploitation and "sexual" in exploitation)) if on]

        # Missing episodes in the period, one after another, while looked after.
        if concern != "none_known":
            p_missing, mean_eps = 0.55, 7.0
        elif uasc:
            p_missing, mean_eps = 0.16, 2.5
        else:
            p_missing, mean_eps = 0.08 if age_at_start >= 11 else 0.01, 2.2
        went_missing = missing_at_end or rng.random() < p_missing
        my_eps = []
        if went_missing:
            window_start = max(start, care_start)
            window_end = care_end or end
            cursor = window_start + dt.timedelta(days=rng.randint(0, 60))
            count = max(1, int(rng.expovariate(1 / mean_eps)) + 1)
            for k in range(count):
                if cursor >= window_end:
                    break
                length = rng.choices([0, 1, 2, 3, 5, 9, 20], [30, 30, 15, 10, 7, 5, 3])[0]
                if concern != "none_known" and rng.random() < 0.15:
                    length += rng.randint(5, 40)
                ep_start, ep_end = cursor, cursor + dt.timedelta(days=length)
                final = k == count - 1
                still_out = False
                if missing_at_end and (final or ep_end >= window_end):
                    ep_end, reason = window_end, "ceased_looked_after"
                elif ep_end >= window_end:
                    if care_end is not None:
                        break
                    if rng.random() < 0.4:
                        still_out = True
                    else:
                        break
                if still_out or (final and care_end is None and concern != "none_known" and rng.random() < 0.08):
                    ep_end, reason = None, "still_missing"
                elif not (missing_at_end and ep_end == window_end):
                    reason = rng.choice(["returned", "returned", "found_by_police", "found_by_others"])
                eid += 1
                etype = ("missing" if rng.random() < 0.7 else "away") if c.distinguishes_away else "not_distinguished"
                placement = next((p for s_, e_, p in my_placements if s_ <= ep_start and (e_ is None or ep_start <= e_)), None)
                police = etype != "away" or rng.random() < 0.3
                ep = {"episode_id": f"E{eid}", "child_id": cid, "placement_id": placement, "episode_type": etype,
                      "start_date": iso(ep_start),
                      "start_time": (f"{rng.randint(0, 23):02d}:{rng.choice([0, 15, 30, 45]):02d}:00"
                                     if rng.random() < 0.7 else None),
                      "end_date": iso(ep_end), "end_time": None,
                      "reported_to_police": "true" if police else "false",
                      "police_risk_level": (rng.choice(["low", "medium", "medium", "high", "no_apparent_risk"])
                                            if police else None),
                      "end_reason": reason,
                      "found_location": None if ep_end is None or reason == "ceased_looked_after" else
                      rng.choice(["in_council_area", "in_council_area", "other_council_area", "unknown"])}
                if ep_end and ep["start_time"] and rng.random() < 0.7:
                    ep["end_time"] = f"{rng.randint(0, 23):02d}:{rng.choice([0, 30]):02d}:00"
                    if ep_end == ep_start and ep["end_time"] <= ep["start_time"]:
                        ep["end_time"] = None
                level = ep.pop("police_risk_level")  # deprecated in 1.1: the initial and the highest grading instead
                if level is not None:
                    scale = ["no_apparent_risk", "very_low", "low", "medium", "high"]
                    first = scale[max(0, scale.index(level) - (1 if new.random() < 0.2 else 0))]
                    ep.update(initial_police_risk_level=first, highest_police_risk_level=level)
                    if level == "high":
                        ep["strategy_meeting_date"] = iso(min(ep_start + dt.timedelta(days=new.choice([0, 1, 2])),
                                                              ep_end or end))
                if ep_end is not None and reason in ("returned", "found_by_police", "found_by_others"):
                    ep["safe_and_well_check_date"] = iso(ep_end) if new.random() < 0.8 else None
                    if ep["found_location"] == "in_council_area":
                        ep["found_council"] = c.new_la_code
                    elif ep["found_location"] == "other_council_area":
                        ep["found_council"] = new.choice(c.neighbours)
                if concern != "none_known" and exploitation and new.random() < 0.4:
                    ep["suspected_exploitation_types"] = new.choice(exploitation.split(";"))
                ep["safety_plan"] = "true" if concern != "none_known" and new.random() < 0.7 else None
                episodes.append(ep)
                my_eps.append((ep_start, ep_end, ep["episode_id"]))
                if ep_end is None or reason == "ceased_looked_after":
                    break
                cursor = ep_end + dt.timedelta(days=rng.randint(1, 45))
        # Return interviews: offered after most ended episodes; sometimes one covers two.
        k = 0
        while k < len(my_eps):
            ep_start, ep_end, ep_id = my_eps[k]
            if ep_end is None or (missing_at_end and ep_end == care_end):
                k += 1
                continue
            covered = [ep_id]
            if k + 1 < len(my_eps) and my_eps[k + 1][1] is not None and rng.random() < 0.15 and \
                    not (missing_at_end and my_eps[k + 1][1] == care_end):
                ep_end = my_eps[k + 1][1]
                covered.append(my_eps[k + 1][2])
                k += 1
            k += 1
            if rng.random() > 0.85:
                continue
            iid += 1
            offered = ep_end + dt.timedelta(days=rng.choice([0, 0, 1, 1, 2]))
            accepted = rng.random() < 0.65
            completed = None
            if accepted:
                completed = offered + dt.timedelta(days=rng.choice([0, 1, 1, 2, 3, 5, 8]))
            interviews.append({"interview_id": f"R{iid}", "child_id": cid, "offered_date": iso(offered),
                               "accepted": "true" if accepted else "false", "completed_date": iso(completed),
                               "independent": "true" if rng.random() < 0.8 else "false"})
            if completed is not None:
                interviews[-1]["completed_time"] = f"{new.randint(9, 19):02d}:{new.choice([0, 30]):02d}:00"
                interviews[-1]["conducted_by"] = new.choice(["independent_provider", "independent_provider",
                                                             "council_independent_worker", "social_worker"])
            else:
                interviews[-1]["declined_reason"] = new.choice(["not_wanted", "prefers_trusted_adult", "no_reason_given"])
            links.extend({"interview_id": f"R{iid}", "episode_id": e} for e in covered)

        children.append({
            "child_id": cid, "birth_year_month": birth_month.strftime("%Y-%m"), "sex": sex, "ethnicity": eth,
            "nationality": nat, "uasc": "true" if uasc else "false",
            "uasc_start_date": iso(care_start) if uasc else None,
            "uasc_end_date": iso(adult - dt.timedelta(days=1)) if uasc and care_end and adult <= end else None,
            "trafficking_concern": concern, **{k: None for k in (
                "nrm_referral_date", "nrm_reasonable_grounds_decision", "nrm_reasonable_grounds_date",
                "nrm_conclusive_grounds_decision", "nrm_conclusive_grounds_date")}, **nrm,
            "exploitation_types": exploitation,
            "county_lines": ("true" if rng.random() < 0.5 else "false") if exploitation and "criminal" in exploitation else None,
            "ictg_referral_date": nrm.get("nrm_referral_date") if nrm and rng.random() < 0.6 else None,
            "ictg_service_type": None, "cin_factors": ";".join(factors) or None,
        })
        if children[-1]["ictg_referral_date"]:
            children[-1]["ictg_service_type"] = "direct_worker" if uasc else "regional_practice_coordinator"
        child = children[-1]
        if concern != "none_known":
            first_seen = max(care_start, start - dt.timedelta(days=300))
            latest = min(d for d in (end, D.fromisoformat(nrm["nrm_referral_date"]) if nrm else end) if d)
            child["trafficking_concern_date"] = iso(min(first_seen + dt.timedelta(days=new.randint(0, 60)), latest))
        if uasc:
            arrival = care_start - dt.timedelta(days=new.randint(0, 3))
            child["uk_arrival_date"] = iso(max(arrival, birth + dt.timedelta(days=1)))
            child["separated_no_asylum_claim"] = "false"
            child["immigration_status"] = new.choice(["asylum_claim_pending", "asylum_claim_pending", "refugee_status",
                                                      "uasc_leave", "refused_appeal_pending"])
            child["immigration_status_date"] = iso(min(care_start + dt.timedelta(days=new.randint(10, 300)), end))
            if new.random() < 0.2:
                child["age_disputed"] = "true"
                child["age_assessment_date"] = iso(min(max(care_start, start) + dt.timedelta(days=new.randint(5, 90)), end))
                child["age_assessment_outcome"] = new.choice(["assessed_under_18", "assessed_under_18", "pending"])
            else:
                child["age_disputed"] = "false"
            transferred = c.slug != "kent" and new.random() < 0.4  # most children Kent receives stay in Kent
            child["national_transfer_scheme"] = "true" if transferred else "false"
            child["nts_from_council"] = "E10000016" if transferred else None
        elif nat not in ("GBR", None) and new.random() < 0.3:
            child["separated_no_asylum_claim"] = "true"
            child["immigration_status"] = new.choice(["other_limited_leave", "indefinite_leave", "not_known"])
    return sub


def main() -> None:
    rng, new = random.Random(SEED), random.Random(NEW_SEED)
    out = ROOT / "fixtures" / "valid"
    for c in COUNCILS:
        sub = make_council(c, rng, new)
        write_csv_package(sub, out / c.slug)
        write_json(sub, out / f"{c.slug}.json")


if __name__ == "__main__":
    main()
