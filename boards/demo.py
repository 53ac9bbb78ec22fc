"""Boards demo data: the Defence Industrial Production Board, which first met at NATO Headquarters
on 13 December 2023, and the three working groups that meeting set up; demo users seated on them;
a few meetings, actions, recommendations and supply-chain risks.

What is on record: the Board, its date and place, that it reports to CNAD, and its three working
groups and their subjects. Everything else is illustrative and marked so (``illustrative`` on
meetings, actions, recommendations and risks): the later meetings, agendas, minutes, actions,
recommendations, risks, suppliers and the people.

Idempotent: bodies are looked up by code, seats by body and user, meetings by body and title,
actions by body and text, recommendations by title, risks by title; only missing rows are created,
through the services.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.utils import timezone

from boards import services
from boards.choices import (
    BodyKind,
    MeetingStatus,
    MemberRole,
    Presence,
    RecommendationState,
    RiskStatus,
    RiskType,
    Tier,
)
from boards.models import ActionItem, Body, Meeting, Membership, Recommendation, Risk
from portal.demo import register
from portal.models import Nation, User
from procurement.models import FrameworkContract, Item

BRUSSELS = zoneinfo.ZoneInfo("Europe/Brussels")
INAUGURAL = dt.date(2023, 12, 13)

BODIES = [
    # code, kind, name, French name, parent, mandate, keeps the risk register
    ("dipb", BodyKind.BOARD, "Defence Industrial Production Board",
     "Conseil de la production industrielle de défense", None,
     "Created by the Defence Production Action Plan; reports to the Conference of National Armaments Directors "
     "(CNAD). Allied experts and the NATO Industrial Advisory Group share best practice on defence planning, "
     "procurement and supply chains.", False),
    ("wg1", BodyKind.WORKING_GROUP, "Working group 1: overall industrial capacity",
     "Groupe de travail 1 : capacité industrielle globale", "dipb",
     "Understand the Alliance's overall defence industrial capacity.", False),
    ("wg2", BodyKind.WORKING_GROUP, "Working group 2: supply chains",
     "Groupe de travail 2 : chaînes d'approvisionnement", "dipb",
     "Supply chains: keeps the supply-chain risk register.", True),
    ("wg3", BodyKind.WORKING_GROUP, "Working group 3: interoperability and industrial planning",
     "Groupe de travail 3 : interopérabilité et planification industrielle", "dipb",
     "Interoperability and industrial-planning issues.", False),
]  # fmt: skip

SEATS = [
    # body, username, role
    ("dipb", "secretariat", MemberRole.SECRETARY),
    ("dipb", "board_member", MemberRole.MEMBER),
    ("dipb", "board_member_wg2", MemberRole.MEMBER),
    ("wg1", "board_member", MemberRole.CHAIR),
    ("wg3", "board_member", MemberRole.MEMBER),
    ("wg2", "board_member_wg2", MemberRole.CHAIR),
]
CHAIRS = {"wg1": "board_member", "wg2": "board_member_wg2"}


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=BRUSSELS)


def _bodies(secretariat: User, users: dict) -> tuple[dict, int]:
    made = 0
    bodies = {body.code: body for body in Body.objects.all()}
    for code, kind, name, name_fr, parent, mandate, keeps in BODIES:
        if code in bodies:
            continue
        bodies[code] = services.body_create(
            actor=secretariat,
            code=code,
            kind=kind,
            name=name,
            name_fr=name_fr,
            parent=bodies.get(parent),
            mandate=mandate,
            chair=users.get(CHAIRS.get(code, "")),
            starts_on=INAUGURAL,
            keeps_risk_register=keeps,
        )
        made += 1
    for code, username, role in SEATS:
        if (
            username in users
            and not Membership.objects.filter(body=bodies[code], user=users[username]).exists()
        ):
            services.membership_add(
                actor=secretariat, body=bodies[code], user=users[username], role=role, from_date=INAUGURAL
            )
    return bodies, made


def _meeting(actor, body, title, *, starts, hours, location="", virtual=False, status=MeetingStatus.PLANNED):
    found = Meeting.objects.filter(body=body, title=title).first()
    if found:
        return found, False
    meeting = services.meeting_create(
        actor=actor,
        body=body,
        title=title,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=hours),
        time_zone="Europe/Brussels",
        location=location,
        virtual=virtual,
        status=status,
        illustrative=title != "Inaugural meeting of the Defence Industrial Production Board",
    )
    return meeting, True


def _meetings(secretariat: User, users: dict, bodies: dict) -> dict:
    today = timezone.localdate()
    board, wg1, wg2 = bodies["dipb"], bodies["wg1"], bodies["wg2"]
    inaugural, new = _meeting(
        secretariat,
        board,
        "Inaugural meeting of the Defence Industrial Production Board",
        starts=_at(INAUGURAL, 10),
        hours=6,
        location="NATO Headquarters, Brussels",
        status=MeetingStatus.HELD,
    )
    second, _ = _meeting(
        secretariat,
        board,
        "Second meeting of the Board (illustrative)",
        starts=_at(dt.date(2024, 3, 20), 10),
        hours=5,
        location="NATO Headquarters, Brussels",
        status=MeetingStatus.HELD,
    )
    if new:
        for title, presenter in [
            ("Opening: the Defence Production Action Plan and the Board's mandate", "secretariat"),
            ("Allies and NIAG: best practice in defence planning, procurement and supply chains", None),
            ("Setting up three working groups", "secretariat"),
            ("Any other business", None),
        ]:
            services.agenda_item_add(
                actor=secretariat, meeting=inaugural, title=title, presenter=users.get(presenter or "")
            )
        for username in ("secretariat", "board_member", "board_member_wg2"):
            if username in users:
                services.attendance_record(
                    actor=secretariat, meeting=inaugural, user=users[username], presence=Presence.PRESENT
                )
        minutes = services.minutes_draft(
            actor=secretariat,
            meeting=inaugural,
            text=(
                "Illustrative minutes. The Board met for the first time at NATO Headquarters. It agreed to set "
                "up three working groups: (1) understanding overall industrial capacity; (2) supply chains; "
                "(3) interoperability and industrial-planning issues."
            ),
        )
        services.minutes_approve(actor=secretariat, minutes=minutes, at_meeting=second)
    wg2_meeting, new = _meeting(
        users["board_member_wg2"],
        wg2,
        "Supply-chain risks: energetics (illustrative)",
        starts=_at(today - dt.timedelta(days=21), 14),
        hours=2,
        virtual=True,
        status=MeetingStatus.HELD,
    )
    if new:
        services.minutes_draft(
            actor=users["board_member_wg2"],
            meeting=wg2_meeting,
            text="Illustrative draft minutes: single-source energetics for 155 mm fills reviewed; mitigation options listed.",
        )
    _meeting(
        users["board_member"],
        wg1,
        "Capacity returns for 155 mm (illustrative)",
        starts=_at(today + dt.timedelta(days=14), 10),
        hours=3,
        virtual=True,
    )
    return {"inaugural": inaugural, "wg2": wg2_meeting}


def _actions(users: dict, bodies: dict, meetings: dict) -> int:
    today = timezone.localdate()
    poland = Nation.objects.get(code="POL")
    specs = [
        (bodies["wg1"], "Compile the Allies' production capacity for 155 mm rounds, by year, from submitted plans.",
         {"owner_user": users["board_member"]}, today + dt.timedelta(days=30), None),
        (bodies["wg2"], "Map the tier-2 and tier-3 suppliers of energetics for 155 mm fills.",
         {"owner_user": users["board_member_wg2"]}, today - dt.timedelta(days=5), meetings["wg2"]),
        (bodies["wg3"], "Report on the reservations to STANAG 4425 and what they mean for interchangeability.",
         {"owner_nation": poland}, today + dt.timedelta(days=60), None),
    ]  # fmt: skip
    made = 0
    for body, text, owner, due_on, meeting in specs:
        if ActionItem.objects.filter(body=body, text=text).exists():
            continue
        actor = users["board_member_wg2"] if body.code == "wg2" else users["board_member"]
        services.action_create(
            actor=actor, body=body, text=text, due_on=due_on, meeting=meeting, illustrative=True, **owner
        )
        made += 1
    return made


def _recommendations(secretariat: User, users: dict, bodies: dict) -> int:
    specs = [
        (bodies["wg1"], "Publish an Alliance-level view of 155 mm capacity against demand",
         "Illustrative. Aggregate submitted capacity lines and NSPA demand each year, and report the gap to CNAD.",
         RecommendationState.SUBMITTED),
        (bodies["wg2"], "Second sources for energetics",
         "Illustrative. Qualify a second source for each single-source energetic used in 155 mm fills.",
         RecommendationState.DRAFTED),
        (bodies["wg3"], "Track STANAG 4425 reservations against orders",
         "Illustrative. Use the portal's interoperability alerts to follow orders placed against reservations.",
         RecommendationState.APPROVED),
    ]  # fmt: skip
    made = 0
    for body, title, text, state in specs:
        if Recommendation.objects.filter(title=title).exists():
            continue
        author = users["board_member_wg2"] if body.code == "wg2" else users["board_member"]
        rec = services.recommendation_create(
            actor=author, body=body, title=title, text=text, illustrative=True
        )
        path = {
            RecommendationState.SUBMITTED: [RecommendationState.ENDORSED, RecommendationState.SUBMITTED],
            RecommendationState.APPROVED: [
                RecommendationState.ENDORSED,
                RecommendationState.SUBMITTED,
                RecommendationState.APPROVED,
            ],
        }.get(state, [])
        for step in path:
            rec = services.recommendation_move(actor=secretariat, recommendation=rec, to=step)
        made += 1
    return made


def _risks(users: dict, bodies: dict) -> int:
    today = timezone.localdate()
    items = {item.code: item for item in Item.objects.filter(code__in=["155mm-round", "155mm-fuze"])}
    framework = FrameworkContract.objects.filter(reference="NSPA-LBDM-2023").first()
    specs = [
        ("Single-source energetics supplier for 155 mm fills", "155mm-round", "Explosive fill", Tier.TIER_2,
         "Illustrative energetics maker A", "SWE", RiskType.ENERGETICS, 4, 5, True,
         "Qualify a second source; hold a strategic stock of fill."),
        ("Nitrocellulose supply for propellant charges", "155mm-round", "Propellant charge", Tier.TIER_3,
         "Illustrative cellulose supplier B", "DEU", RiskType.RAW_MATERIAL, 3, 4, False,
         "Multi-year supply agreements across Allies."),
        ("Foreign ownership of a fuze electronics maker", "155mm-fuze", "Fuze electronics", Tier.TIER_2,
         "Illustrative electronics maker C", "ITA", RiskType.HOSTILE_INFLUENCE, 2, 5, True,
         "Screen the ownership; find an Allied alternative."),
        ("Shell forging capacity", "155mm-round", "Shell body", Tier.TIER_1,
         "Illustrative forge D", "POL", RiskType.CAPACITY_BOTTLENECK, 4, 3, False,
         "Add a second forging line; pool orders through NSPA."),
    ]  # fmt: skip
    made = 0
    owner = users["board_member_wg2"]
    for (
        title,
        item,
        component,
        tier,
        supplier,
        country,
        kind,
        likelihood,
        impact,
        sensitive,
        mitigation,
    ) in specs:
        if Risk.objects.filter(title=title).exists() or item not in items:
            continue
        services.risk_create(
            actor=owner,
            body=bodies["wg2"],
            title=title,
            item=items[item],
            component=component,
            tier=tier,
            supplier=supplier,
            supplier_country=country,
            risk_type=kind,
            likelihood=likelihood,
            impact=impact,
            sensitive=sensitive,
            owner=owner,
            mitigation=mitigation,
            status=RiskStatus.OPEN,
            review_on=today + dt.timedelta(days=20),
            frameworks=[framework] if framework else [],
            dependent_items=[items[item]],
            illustrative=True,
        )
        made += 1
    return made


@register("boards", order=40)
def load_boards() -> list[str]:
    users = {
        user.username: user
        for user in User.objects.filter(username__in=["secretariat", "board_member", "board_member_wg2"])
    }
    secretariat = users["secretariat"]
    bodies, made = _bodies(secretariat, users)
    meetings = _meetings(secretariat, users, bodies)
    actions = _actions(users, bodies, meetings)
    recommendations = _recommendations(secretariat, users, bodies)
    risks = _risks(users, bodies)
    return [
        f"{made} bodies, {actions} actions, {recommendations} recommendations, {risks} risks created "
        "(all but the Board, its working groups and its first meeting illustrative)"
    ]
