"""Standards demo data: the STANAGs of shared/data/nato/stanags.md, what the demo items require,
illustrative national responses, reviews and a change proposal.

The catalogue rows are the file's: number, edition where it gives one, title as found, related
publication, and its confidence and evidence kept in each edition's notes. What the file does not
give is marked where it is stored: promulgation dates, levels and the earlier editions are
illustrative (notes), French titles are the portal's translation (notes), and every national
response is illustrative (its ratification reference, and its reservations text). Responses are
seeded by nation code and edition (``random.Random`` of a string), so every run makes the same.

Reuters (July 2024) reported that 14 NATO members keep the right to deviate from the artillery
ammunition standard: here 14 Allies, Poland among them, ratify STANAG 4425 with reservations, so
Poland's demo call-off for 155 mm rounds raises an interoperability alert.

Idempotent: rows are looked up by their natural keys (domain code; type, number and edition; a
nation's response to an edition; an item's requirement; an edition's review; a nation's proposal
on an edition) and only missing ones are created, each through the services.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.utils import timezone

from portal.choices import NationKind
from portal.demo import DEMO_USERS, register
from portal.models import Nation, User
from procurement.models import Item
from standards import services
from standards.choices import DocumentType, Implementation, Ratification, ReviewOutcome, StandardStatus
from standards.models import ChangeProposal, Domain, ItemRequirement, NationalResponse, ReviewCycle, Standard

DOMAINS = [
    # code, English name, French name, order, description
    ("lbdm", "Land battle decisive munitions", "Munitions décisives pour la bataille terrestre", 10,
     "Artillery, mortar and tank ammunition: the Defence Production Action Plan's first focus."),
    ("iamd", "Air and missile defence", "Défense aérienne et antimissile", 20,
     "Surface-to-air missiles and their launchers."),
    ("ammo-safety", "Ammunition safety and insensitive munitions",
     "Sécurité des munitions et munitions à risques atténués", 30,
     "Safety and suitability for service, insensitive-munition policy and tests."),
    ("fuzing", "Fuzing systems", "Systèmes de fusées", 40, "Fuze safety, testing and setting."),
    ("fire-control", "Indirect fire control and ballistics", "Conduite du tir indirect et balistique", 50,
     "Trajectory models and firing-table inputs."),
    ("environment", "Environmental conditions and testing", "Conditions d'environnement et essais", 60,
     "Climatic categories and environmental qualification of materiel."),
    ("armour", "Armour and protection", "Blindage et protection", 70, "Protection of vehicles and their crews."),
]  # fmt: skip

FRENCH_NOTE = "French title: the portal's translation, not NSO's."
DATE_NOTE = "Promulgation date: illustrative (the source gives none)."


@dataclass(frozen=True)
class Edition:
    """One STANAG row of stanags.md. ``edition`` None: the file gives none (stored as 1, said so)."""

    number: str
    edition: str | None
    title: str
    title_fr: str
    domain: str
    level: str
    promulgated_on: dt.date
    covering: str = ""
    covering_edition: str = ""
    confidence: str = ""
    evidence: str = ""
    relevance: str = ""
    extra: str = ""
    # The earlier edition this one superseded, made up for the edition history: (edition,
    # promulgation date, its covering publication's edition).
    previous: tuple[str, dt.date, str] | None = None

    @property
    def stored_edition(self) -> str:
        return self.edition or "1"

    def notes(self) -> str:
        parts = [
            f"Confidence: {self.confidence}.",
            f"Evidence: {self.evidence}",
            f"Relevance: {self.relevance}.",
            *([self.extra] if self.extra else []),
            "Edition: as given by the source."
            if self.edition
            else "Edition: not given by the source; stored as 1 only because an edition is required.",
            DATE_NOTE,
            "Level of standardisation: the portal's assumption.",
            FRENCH_NOTE,
        ]
        return "\n".join(parts)


GITHUB = "public GitHub repositories"
STANAGS = [
    Edition(
        "2459", "3", "The Procedures for Ammunition Interchangeability",
        "Procédures d'interchangeabilité des munitions", "lbdm", "interchangeability", dt.date(2016, 5, 2),
        confidence="high",
        evidence="Czech defence standard ČOS 131505, 2nd ed. (Praha 2020), “zavádí STANAG 2459, Ed. 3 THE "
        "PROCEDURES FOR AMMUNITION INTERCHANGEABILITY” — https://vdocuments.pub/esk-obrann-standardoos-"
        "dataarmyczcoscos-tdp-technical-data-package-soubor.html",
        relevance="the base procedure for declaring two nations' rounds interchangeable",
        previous=("2", dt.date(2008, 3, 3), ""),
    ),
    Edition(
        "2953", "4", "Identification of Ammunition", "Identification des munitions", "lbdm", "commonality",
        dt.date(2014, 9, 1), covering="AOP-2", covering_edition="D v1",
        confidence="high",
        evidence="Czech ČOS 131502, 4th ed., change 1 — https://docplayer.cz/amp/151666493-Identification-of-"
        "ammunition-...",
        relevance="marking and colour coding, the NATO interchangeability symbol",
        extra="Covering publication: AOP-2 Ed. D v1 (earlier AOP-2(C)).",
        previous=("3", dt.date(2005, 6, 1), "C"),
    ),
    Edition(
        "4425", "2", "Indirect-fire ammunition interchangeability",
        "Interchangeabilité des munitions de tir indirect", "lbdm", "interchangeability", dt.date(2022, 3, 1),
        covering="AOP-29",
        confidence="medium for the scope, low for the exact title",
        evidence=f"A Polish equipment catalogue in a GitHub repo ({GITHUB}) lists 60 mm mortar ammunition "
        "“zgodna z STANAG 4425.2”. Other repos contradict it (“Aeromedical evacuation”; “Ballistic "
        "Measurement Methods”), judged wrong here.",
        relevance="155 mm, 105 mm and mortar ammunition interchangeability between guns",
        extra="Title from knowledge: “Procedures to Determine the Degree of Interchangeability of NATO "
        "Indirect Fire Ammunition”. Related AOP (AOP-29) from knowledge.",
        previous=("1", dt.date(2004, 10, 1), ""),
    ),
    Edition(
        "4355", None, "The Modified Point Mass and Five Degrees of Freedom Trajectory Models",
        "Modèles de trajectoire à masse ponctuelle modifiée et à cinq degrés de liberté", "fire-control",
        "commonality", dt.date(2009, 4, 1), covering="AOP-4355",
        confidence="medium-high",
        evidence=f"Several independent repos, e.g. “STANAG 4355 — Modified Point Mass and Five-DOF Trajectory "
        f"Models” ({GITHUB}) and “STANAG 4355 / AOP-4355 Modified Point Mass (4-DOF)”",
        relevance="firing tables and fire control for artillery",
    ),
    Edition(
        "4144", None, "Procedures to determine fire-control inputs for indirect-fire control systems",
        "Procédures de détermination des données de conduite du tir pour les systèmes de conduite du tir "
        "indirect", "fire-control", "interoperability", dt.date(2012, 2, 1),
        confidence="low",
        evidence=f"Only indirect: Portuguese-language ballistic code cites “dados do projétil conforme STANAG "
        f"4144 Anexo E” and “tabelas de tiro conforme STANAG 4144” ({GITHUB})",
        relevance="projectile data and firing-table inputs",
        extra="Title from knowledge.",
    ),
    Edition(
        "4439", None, "Policy for Introduction and Assessment of Insensitive Munitions (IM)",
        "Politique d'introduction et d'évaluation des munitions à risques atténués (MURAT)", "ammo-safety",
        "compatibility", dt.date(2010, 3, 1), covering="AOP-39",
        confidence="high",
        evidence=f"Consistent in several repos ({GITHUB}); one also lists STANAG 4240 Fast Heating as part of "
        "the IM test suite",
        relevance="IM requirements for 155 mm fills and propellants",
    ),
    Edition(
        "4297", None, "Safety and suitability for service (S3) assessment of non-nuclear munitions",
        "Évaluation de la sécurité et de l'aptitude au service (S3) des munitions non nucléaires",
        "ammo-safety", "compatibility", dt.date(2011, 5, 2), covering="AOP-15",
        confidence="medium-high",
        evidence=f"{GITHUB} (“STANAG 4297 / AOP-15 — NATO S3 framework for non-nuclear munitions”)",
        relevance="qualification of new munitions",
    ),
    Edition(
        "4187", None, "Fuzing Systems — Safety Design Requirements",
        "Systèmes de fusées — exigences de sécurité pour la conception", "fuzing", "compatibility",
        dt.date(2007, 11, 1),
        confidence="medium-high",
        evidence=f"{GITHUB} (“STANAG 4187 (Fuzing Systems — Safety Design Requirements)”); repeated in other "
        "repos",
        relevance="artillery fuzes (e.g. the Junghans fuzes in the NSPA contract of 2024-01-23)",
    ),
    Edition(
        "4369", None, "Inductive fuze setter (interface)", "Programmateur inductif de fusée (interface)",
        "fuzing", "interoperability", dt.date(2013, 6, 3),
        confidence="low-medium",
        evidence=f"{GITHUB} (“STANAG 4369 — Inductive Fuze Setter”)",
        relevance="fuze setting for 155 mm",
    ),
    Edition(
        "4157", None, "Fuzing systems: test requirements for assessing safety and suitability for service",
        "Systèmes de fusées : exigences d'essai pour l'évaluation de la sécurité et de l'aptitude au service",
        "fuzing", "compatibility", dt.date(2008, 9, 1), covering="AOP-20",
        confidence="low-medium",
        evidence="http://54.80.168.91/stanag-4157-pdf (low-quality page: “test requirements for assessing the "
        "safety and suitability for service of Safety, Arming, and Functioning (SAF) systems”)",
        relevance="fuze qualification",
        extra="Related AOP (AOP-20) from knowledge.",
    ),
    Edition(
        "4240", None, "Fast Heating (liquid fuel fire) test for munitions",
        "Essai d'échauffement rapide (feu de combustible liquide) des munitions", "ammo-safety",
        "compatibility", dt.date(2015, 4, 1),
        confidence="medium",
        evidence=GITHUB,
        relevance="IM test",
    ),
    Edition(
        "2895", None,
        "Extreme Climatic Conditions and Derived Conditions for use in defining design/test criteria for "
        "NATO forces materiel",
        "Conditions climatiques extrêmes et conditions dérivées pour la définition des critères de "
        "conception et d'essai du matériel des forces de l'OTAN", "environment", "compatibility",
        dt.date(2006, 2, 1), covering="AECTP-230",
        confidence="medium for the topic",
        evidence=f"Two repos agree on the topic (“Extreme climate conditions — Environmental categories”, "
        f"{GITHUB}; “Extreme climatic conditions”, 58688825956). Others misuse it for wind chill or "
        "explosive safety.",
        relevance="climatic design and test categories for ammunition",
        extra="Title from knowledge; knowledge also says it has since been replaced by STANAG 4370 / "
        "AECTP-230. Related publication (AECTP-230) from knowledge.",
    ),
    Edition(
        "4370", None, "Environmental testing (AECTP series)", "Essais d'environnement (série AECTP)",
        "environment", "compatibility", dt.date(2016, 10, 3), covering="AECTP-100…600",
        confidence="medium",
        evidence=GITHUB,
        relevance="environmental qualification",
    ),
    Edition(
        "4569", None, "Protection levels for occupants of armoured vehicles",
        "Niveaux de protection des occupants des véhicules blindés", "armour", "compatibility",
        dt.date(2014, 5, 2), covering="AEP-55",
        confidence="high that it is about armour",
        evidence=f"{GITHUB} and general agreement",
        relevance="not about munitions (armour); listed only to rule it out",
        extra="Listed to rule out: no munition item requires it, and the demo records no response to it.",
    ),
]  # fmt: skip

# Listed to rule it out: no item requires it and no nation is shown responding to it.
RULED_OUT = {"4569"}

# What the demo items must meet (they replaced procurement's old free list of designations).
REQUIREMENTS = {
    "155mm-round": ["4425", "2459", "4439"],
    "155mm-fuze": ["4187", "4369"],
    "120mm-mortar": ["4425"],
    "120mm-tank": ["2459"],
}

# Reuters, July 2024: 14 members keep the right to deviate from the artillery-ammunition standard.
RESERVING_ALLIES = 14
ARTILLERY_STANDARD = "4425"
# Poland is one of them, so its demo call-off for 155 mm rounds raises an alert.
ALWAYS_RESERVING = {"POL"}
# Iceland has no armed forces; the demo records no munitions response for it.
NO_RESPONSES = {"ISL"}

ARTILLERY_RESERVATIONS = [
    "Illustrative: projectiles are interchangeable; national propelling charges are kept, and other "
    "nations' charges are used only after national firing trials.",
    "Illustrative: other nations' rounds are fired only with national firing-table data validated for them.",
    "Illustrative: the right to deviate is kept where the foreign round's safety and suitability for "
    "service assessment is not yet recognised nationally.",
    "Illustrative: projectile and fuze combinations are limited to those qualified nationally.",
    "Illustrative: mortar ammunition is outside this ratification pending national trials.",
    "Illustrative: interchangeability is accepted for operations; in peacetime only nationally "
    "qualified lots are used.",
]
OTHER_RESERVATIONS = [
    "Illustrative: applies to new procurement only; legacy stocks keep the national requirement.",
    "Illustrative: national test procedures are accepted as equivalent where they are stricter.",
]
REFERENCE = "Illustrative (demo data)"
# Dates the illustrative responses never pass, so the data is the same whatever day it is loaded.
LATEST = dt.date(2025, 6, 30)


def _rng(*parts: str) -> random.Random:
    """A generator seeded by the parts' text: the same choices on every run and machine."""
    return random.Random(":".join(parts))  # noqa: S311 - demo data, not a secret


def reserving_nations(codes: list[str]) -> set[str]:
    """The Allies that ratify the artillery standard with reservations: Poland, and the others
    that rank lowest in a ranking seeded by nation code, to make ``RESERVING_ALLIES`` in all."""
    candidates = sorted(
        (code for code in codes if code not in ALWAYS_RESERVING | NO_RESPONSES),
        key=lambda code: _rng("reserve", code).random(),
    )
    chosen = ALWAYS_RESERVING & set(codes)
    return chosen | set(candidates[: RESERVING_ALLIES - len(chosen)])


def _dates(rng: random.Random, promulgated: dt.date, accession_year: int) -> tuple[dt.date, dt.date]:
    """A ratification date after the edition (and after the nation joined), and an implementation
    date after that; neither past ``LATEST``."""
    start = max(promulgated, dt.date(accession_year, 1, 1))
    ratified = min(start + dt.timedelta(days=rng.randint(90, 900)), LATEST)
    implemented = min(ratified + dt.timedelta(days=rng.randint(30, 720)), LATEST)
    return ratified, implemented


def response_values(nation: Nation, standard: Standard, *, superseded: bool, reserving: bool) -> dict | None:
    """One nation's illustrative response to one edition, as ``ResponseInput`` fields, or None for
    no response; seeded by nation code and edition. A superseded edition was ratified and
    implemented by the Allies of its day; the artillery standard is ratified by every Ally,
    ``reserving`` ones with reservations; the rest vary."""
    rng = _rng(nation.code, standard.number, standard.edition)
    ratified_on, implemented_on = _dates(rng, standard.promulgated_on, nation.accession_year)
    values = {
        "ratification_reference": REFERENCE,
        "ratified_on": ratified_on,
        "ratification": Ratification.RATIFIED,
    }
    roll = rng.random()
    if reserving:
        values |= {
            "ratification": Ratification.RESERVATIONS,
            "reservations": rng.choice(ARTILLERY_RESERVATIONS),
        }
    elif superseded or standard.number == ARTILLERY_STANDARD or roll < 0.74:
        pass
    elif roll < 0.82:
        values |= {"ratification": Ratification.RESERVATIONS, "reservations": rng.choice(OTHER_RESERVATIONS)}
    elif roll < 0.86:
        return {"ratification": Ratification.WILL_NOT_RATIFY, "ratification_reference": REFERENCE}
    else:
        return None
    how = rng.random()
    if superseded or how < 0.6:
        values |= {"implementation": Implementation.IMPLEMENTED, "implementation_date": implemented_on}
    elif how < 0.85:
        planned = dt.date(2026 + rng.randint(1, 3), rng.choice([3, 6, 9, 12]), 28)
        values |= {"implementation": Implementation.PLANNED, "implementation_date": planned}
    return values


@register("standards", order=20)
def load_standards() -> list[str]:
    secretariat = User.objects.get(username="secretariat")
    counts = {
        "domains": _load_domains(secretariat),
        "editions": 0,
        "requirements": 0,
        "responses": 0,
        "reviews": 0,
        "proposals": 0,
    }
    current, previous, counts["editions"] = _load_catalogue(secretariat)
    counts["requirements"] = _load_requirements(User.objects.get(username="nspa"), current)
    counts["responses"] = _load_responses(secretariat, current, previous)
    counts["reviews"] = _load_reviews(secretariat, current)
    counts["proposals"] = _load_proposal(current[ARTILLERY_STANDARD])
    return [", ".join(f"{name} created: {n}" for name, n in counts.items())]


def _load_domains(secretariat) -> int:
    known = set(Domain.objects.values_list("code", flat=True))
    created = 0
    for code, name, name_fr, order, description in DOMAINS:
        if code not in known:
            services.domain_create(
                actor=secretariat, code=code, name=name, name_fr=name_fr, description=description, order=order
            )
            created += 1
    return created


def _load_catalogue(secretariat) -> tuple[dict[str, Standard], dict[str, Standard], int]:
    """The file's editions (``current``, by number) and the made-up earlier editions they
    superseded (``previous``), and how many were created now."""
    domains = {domain.code: domain for domain in Domain.objects.all()}
    existing = {(s.number, s.edition): s for s in Standard.objects.filter(doc_type=DocumentType.STANAG)}
    created = 0

    def edition_of(
        spec: Edition,
        edition: str,
        promulgated: dt.date,
        covering_edition: str,
        notes: str,
        supersedes: Standard | None = None,
    ) -> Standard:
        nonlocal created
        if (spec.number, edition) not in existing:
            existing[spec.number, edition] = services.standard_create(
                actor=secretariat,
                doc_type=DocumentType.STANAG,
                number=spec.number,
                edition=edition,
                title=spec.title,
                title_fr=spec.title_fr,
                covering_publication=spec.covering,
                covering_edition=covering_edition,
                status=StandardStatus.PROMULGATED,
                promulgated_on=promulgated,
                effective_on=promulgated,
                domain=domains[spec.domain],
                level=spec.level,
                supersedes=supersedes,
                notes=notes,
                message="Demo data",
            )
            created += 1
        return existing[spec.number, edition]

    current: dict[str, Standard] = {}
    previous: dict[str, Standard] = {}
    for spec in STANAGS:
        old = None
        if spec.previous:
            old_edition, old_date, old_covering = spec.previous
            notes = (
                "Illustrative earlier edition, made so that the page shows an edition history: the source "
                f"names only Ed. {spec.edition}; this edition's number, dates and covering edition are not "
                f"from a source.\n{FRENCH_NOTE}"
            )
            old = previous[spec.number] = edition_of(spec, old_edition, old_date, old_covering, notes)
        # Promulgating the new edition makes the old one superseded (standards.services.catalogue).
        current[spec.number] = edition_of(
            spec,
            spec.stored_edition,
            spec.promulgated_on,
            spec.covering_edition,
            spec.notes(),
            supersedes=old,
        )
    return current, previous, created


def _load_requirements(nspa, current: dict[str, Standard]) -> int:
    items = {item.code: item for item in Item.objects.filter(code__in=REQUIREMENTS)}
    required = set(ItemRequirement.objects.values_list("item_id", "standard_id"))
    created = 0
    for code, numbers in REQUIREMENTS.items():
        for number in numbers:
            item, standard = items.get(code), current[number]
            if item is not None and (item.pk, standard.pk) not in required:
                services.requirement_add(actor=nspa, item=item, standard=standard)
                created += 1
    return created


def _load_responses(secretariat, current: dict[str, Standard], previous: dict[str, Standard]) -> int:
    """Every Ally's illustrative responses, recorded by its demo director where it has one and by
    the secretariat on its behalf otherwise; only to editions it has no response to yet."""
    directors = {code: username for username, role, code, _ in DEMO_USERS if role == "director"}
    actors = {user.username: user for user in User.objects.filter(username__in=directors.values())}
    allies = [
        n for n in Nation.objects.filter(kind=NationKind.ALLY).order_by("code") if n.code not in NO_RESPONSES
    ]
    reserving = reserving_nations([nation.code for nation in allies])
    answered = set(NationalResponse.objects.values_list("nation_id", "standard_id"))
    editions = [(s, False) for number, s in current.items() if number not in RULED_OUT]
    editions += [(s, True) for s in previous.values()]
    created = 0
    for nation in allies:
        rows = []
        for standard, superseded in editions:
            # An old edition was answered by the Allies of its day only.
            if (nation.pk, standard.pk) in answered or (
                superseded and nation.accession_year > standard.promulgated_on.year
            ):
                continue
            artillery = standard.number == ARTILLERY_STANDARD and not superseded
            values = response_values(
                nation, standard, superseded=superseded, reserving=artillery and nation.code in reserving
            )
            if values is not None:
                rows.append(services.ResponseInput(standard=standard, **values))
        if rows:
            actor = actors.get(directors.get(nation.code, ""), secretariat)
            services.responses_save(actor=actor, nation=nation, rows=rows)
            created += len(rows)
    return created


def _load_reviews(secretariat, current: dict[str, Standard]) -> int:
    """Three illustrative reviews: one completed (STANAG 2459), one overdue and in progress
    (STANAG 2953), one due soon (STANAG 4425). The open ones' due dates count from the day they
    are loaded, so "soon" and "overdue" hold whenever a new database is filled."""
    today = timezone.localdate()
    plan = [
        ("2459", dt.date(2024, 9, 30), "complete"),
        ("2953", today - dt.timedelta(days=60), "start"),
        ("4425", today + dt.timedelta(days=45), "open"),
    ]
    reviewed = set(ReviewCycle.objects.values_list("standard_id", flat=True))
    created = 0
    for number, due_on, step in plan:
        standard = current[number]
        if standard.pk in reviewed:
            continue
        review = services.review_open(
            actor=secretariat, standard=standard, due_on=due_on, notes="Illustrative review (demo data)."
        )
        if step == "start":
            services.review_start(actor=secretariat, review=review)
        elif step == "complete":
            services.review_complete(
                actor=secretariat,
                review=review,
                outcome=ReviewOutcome.NO_CHANGE,
                completed_on=dt.date(2024, 11, 15),
                notes="Illustrative: the procedures stay as they are; the next review follows the cycle.",
            )
        created += 1
    return created


def _load_proposal(artillery: Standard) -> int:
    """Poland's illustrative proposal on the artillery standard, by its demo director."""
    poland = Nation.objects.get(code="POL")
    if ChangeProposal.objects.filter(standard=artillery, nation=poland).exists():
        return 0
    services.proposal_submit(
        actor=User.objects.get(username="director_pol"),
        standard=artillery,
        nation=poland,
        text="Illustrative proposal: publish the degree-of-interchangeability tables for the 155 mm rounds "
        "qualified since this edition, so that nations can check a round before they order it.",
    )
    return 1
