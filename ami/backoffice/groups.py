"""Who runs the AMI in the admin: the « Équipe BNM » group (created by a migration, with the
ami permissions) and superusers. « Éditeurs » edit pages, images and documents only."""
from __future__ import annotations

TEAM_GROUP = "Équipe BNM"
EDITORS_GROUP = "Éditeurs"

# What the back-office views check (the modeladmin views check the model permissions themselves).
VIEW_PERMISSION = "ami.view_dossier"
ACT_PERMISSION = "ami.change_dossier"


def can_view_tracker(user) -> bool:
    return user.is_active and user.has_perm(VIEW_PERMISSION)


def can_act_on_dossiers(user) -> bool:
    """« Relancer » and « Inviter » e-mail referents and communes on the team's behalf."""
    return user.is_active and user.has_perm(ACT_PERMISSION)


def is_ami_team(user) -> bool:
    if not user.is_active:
        return False
    if user.is_superuser:
        return True
    return any(group.name == TEAM_GROUP for group in user.groups.all())


def can_view_report(user) -> bool:
    """« État des lieux »: figures of every submitted dossier, for whoever may read dossiers."""
    return user.is_active and user.has_perm(VIEW_PERMISSION)


# Working groups: their members list holds the dossiers' referents' addresses (personal data),
# so it needs the right to read dossiers too; writing to a group or inviting it to a meeting
# sends e-mails on the team's behalf.
GROUP_VIEW_PERMISSIONS = (VIEW_PERMISSION, "ami.view_workinggroup")
GROUP_WRITE_PERMISSIONS = (VIEW_PERMISSION, "ami.change_workinggroup")


def can_view_group_members(user) -> bool:
    return user.is_active and user.has_perms(GROUP_VIEW_PERMISSIONS)


def can_write_to_group(user) -> bool:
    return user.is_active and user.has_perms(GROUP_WRITE_PERMISSIONS)
