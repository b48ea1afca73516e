"""Create the role groups with the permissions they had when this migration was written.

The permission map is frozen here on purpose: later changes to ``itsm.roles.ROLE_PERMISSIONS`` are applied
after every migrate by the post_migrate handler in ``itsm.apps``, when all permissions exist.
"""

from django.db import migrations

ROLES = {'requester': [],
 'service_desk_agent': ['itsm.access_configuration',
                        'itsm.access_incidents',
                        'itsm.access_problems',
                        'itsm.access_service_levels'],
 'resolver': ['itsm.access_changes',
              'itsm.access_configuration',
              'itsm.access_incidents',
              'itsm.access_problems'],
 'incident_manager': ['itsm.access_changes',
                      'itsm.access_configuration',
                      'itsm.access_incidents',
                      'itsm.access_people',
                      'itsm.access_problems',
                      'itsm.access_service_levels'],
 'problem_manager': ['itsm.access_changes',
                     'itsm.access_configuration',
                     'itsm.access_incidents',
                     'itsm.access_problems'],
 'change_manager': ['itsm.access_changes',
                    'itsm.access_configuration',
                    'itsm.access_incidents',
                    'itsm.access_problems',
                    'itsm.access_releases'],
 'cab_member': ['itsm.access_changes', 'itsm.access_configuration', 'itsm.access_releases'],
 'release_manager': ['itsm.access_changes', 'itsm.access_configuration', 'itsm.access_releases'],
 'configuration_manager': ['itsm.access_changes', 'itsm.access_configuration', 'itsm.access_releases'],
 'service_level_manager': ['itsm.access_configuration',
                           'itsm.access_incidents',
                           'itsm.access_service_levels',
                           'itsm.access_suppliers'],
 'supplier_manager': ['itsm.access_service_levels', 'itsm.access_suppliers'],
 'internal_auditor': ['itsm.access_audits',
                      'itsm.access_changes',
                      'itsm.access_configuration',
                      'itsm.access_incidents',
                      'itsm.access_people',
                      'itsm.access_problems',
                      'itsm.access_releases',
                      'itsm.access_service_levels',
                      'itsm.access_suppliers',
                      'itsm.view_all_records'],
 'management_representative': ['audits.add_objective',
                               'audits.change_objective',
                               'audits.view_objective',
                               'itsm.access_audits',
                               'itsm.access_changes',
                               'itsm.access_configuration',
                               'itsm.access_incidents',
                               'itsm.access_people',
                               'itsm.access_problems',
                               'itsm.access_releases',
                               'itsm.access_service_levels',
                               'itsm.access_suppliers',
                               'itsm.view_all_records'],
 'top_management': ['audits.add_objective',
                    'audits.change_objective',
                    'audits.view_objective',
                    'itsm.access_audits',
                    'itsm.access_changes',
                    'itsm.access_configuration',
                    'itsm.access_incidents',
                    'itsm.access_people',
                    'itsm.access_problems',
                    'itsm.access_releases',
                    'itsm.access_service_levels',
                    'itsm.access_suppliers',
                    'itsm.view_all_records'],
 'administrator': ['audits.add_objective',
                   'audits.change_objective',
                   'audits.view_objective',
                   'itsm.access_audits',
                   'itsm.access_changes',
                   'itsm.access_configuration',
                   'itsm.access_incidents',
                   'itsm.access_people',
                   'itsm.access_problems',
                   'itsm.access_releases',
                   'itsm.access_service_levels',
                   'itsm.access_suppliers',
                   'itsm.manage_people',
                   'itsm.view_all_records']}


def forwards(apps, schema_editor):
    from itsm.roles import sync_roles

    sync_roles(apps, ROLES)


class Migration(migrations.Migration):
    dependencies = [
        ("itsm", "0001_initial"),
        ("audits", "0001_objectives"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
