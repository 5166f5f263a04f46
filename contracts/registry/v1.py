"""Registry contracts, major version 1: counties, schools, teachers, pairing communities.

The public events and commands of the registry (区县, 学校, 教师, 教研共同体). Every field
is described; every change carries the date it takes effect (``effective_on``). Contact data
(phone, e-mail, national id) is never here: see :mod:`contracts.registry.internal`.

Subjects: events on ``evt.<county>.registry.<aggregate>.<id>.<Event>`` with aggregates
``county`` (id: division code), ``school`` (id: school id), ``teacher`` (id: teacher id) and
``community`` (id: community id); commands on ``cmd.<county>.registry.<Command>``.
"""

from __future__ import annotations

from contracts.base import Command, Event
from contracts.registry._v1_communities import (
    AddSchoolToCommunity,
    AddTeacherToCommunity,
    CloseStudioStation,
    CommunityDissolved,
    CommunityFormed,
    CommunityRenamed,
    DissolveCommunity,
    FormCommunity,
    OpenStudioStation,
    RemoveSchoolFromCommunity,
    RemoveTeacherFromCommunity,
    RenameCommunity,
    SchoolJoinedCommunity,
    SchoolLeftCommunity,
    StudioStationClosed,
    StudioStationOpened,
    TeacherJoinedCommunity,
    TeacherLeftCommunity,
)
from contracts.registry._v1_organisation import (
    ChangeSchoolAttributes,
    CloseSchool,
    CountyRegistered,
    CountyRenamed,
    RegisterCounty,
    RegisterSchool,
    RenameCounty,
    RenameSchool,
    ReopenSchool,
    SchoolAttributesChanged,
    SchoolClosed,
    SchoolRegistered,
    SchoolRenamed,
    SchoolReopened,
)
from contracts.registry._v1_teachers import (
    ChangeTeacherDetails,
    EndTeacherLeave,
    GrantTeacherRole,
    RegisterTeacher,
    RetireTeacher,
    RevokeTeacherRole,
    StartTeacherLeave,
    TeacherDetailsChanged,
    TeacherLeaveEnded,
    TeacherLeaveStarted,
    TeacherRegistered,
    TeacherRetired,
    TeacherRoleGranted,
    TeacherRoleRevoked,
    TeacherTransferred,
    TeacherTransferredIn,
    TransferTeacher,
)
from contracts.registry._v1_values import (
    CommunityKind,
    CountyCode,
    EntityId,
    LeaveKind,
    MembershipEndReason,
    MovementKind,
    PersonName,
    SchoolGovernance,
    SchoolLocation,
    SchoolMemberRole,
    SchoolOwnership,
    SchoolRef,
    SchoolStage,
    TeacherMemberRole,
    TeacherRole,
    TeacherTitle,
    Text,
)

__all__ = [
    "COMMANDS",
    "EVENTS",
    "AddSchoolToCommunity",
    "AddTeacherToCommunity",
    "ChangeSchoolAttributes",
    "ChangeTeacherDetails",
    "CloseSchool",
    "CloseStudioStation",
    "CommunityDissolved",
    "CommunityFormed",
    "CommunityKind",
    "CommunityRenamed",
    "CountyCode",
    "CountyRegistered",
    "CountyRenamed",
    "DissolveCommunity",
    "EndTeacherLeave",
    "EntityId",
    "FormCommunity",
    "GrantTeacherRole",
    "LeaveKind",
    "MembershipEndReason",
    "MovementKind",
    "OpenStudioStation",
    "PersonName",
    "RegisterCounty",
    "RegisterSchool",
    "RegisterTeacher",
    "RemoveSchoolFromCommunity",
    "RemoveTeacherFromCommunity",
    "RenameCommunity",
    "RenameCounty",
    "RenameSchool",
    "ReopenSchool",
    "RetireTeacher",
    "RevokeTeacherRole",
    "SchoolAttributesChanged",
    "SchoolClosed",
    "SchoolGovernance",
    "SchoolJoinedCommunity",
    "SchoolLeftCommunity",
    "SchoolLocation",
    "SchoolMemberRole",
    "SchoolOwnership",
    "SchoolRef",
    "SchoolRegistered",
    "SchoolRenamed",
    "SchoolReopened",
    "SchoolStage",
    "StartTeacherLeave",
    "StudioStationClosed",
    "StudioStationOpened",
    "TeacherDetailsChanged",
    "TeacherJoinedCommunity",
    "TeacherLeaveEnded",
    "TeacherLeaveStarted",
    "TeacherLeftCommunity",
    "TeacherMemberRole",
    "TeacherRegistered",
    "TeacherRetired",
    "TeacherRole",
    "TeacherRoleGranted",
    "TeacherRoleRevoked",
    "TeacherTitle",
    "TeacherTransferred",
    "TeacherTransferredIn",
    "Text",
    "TransferTeacher",
]

EVENTS: tuple[type[Event], ...] = tuple(
    value
    for value in list(globals().values())
    if isinstance(value, type) and issubclass(value, Event) and value.context == "registry"
)
"""Every public registry event of v1."""

COMMANDS: tuple[type[Command], ...] = tuple(
    value
    for value in list(globals().values())
    if isinstance(value, type) and issubclass(value, Command) and value.context == "registry"
)
"""Every public registry command of v1."""
