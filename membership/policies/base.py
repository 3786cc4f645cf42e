from oslo_policy import policy

# Every resource lives in the caller's project and the target of every
# check carries that project, so these rules only ever see one project.
READER = 'membership:reader'
WRITER = 'membership:writer'

rules = [
    policy.RuleDefault(
        name=READER,
        check_str='(role:reader or role:member or role:admin) and '
                  'project_id:%(project_id)s',
        description='Read groups, members and events of the project.',
        scope_types=['project']),
    policy.RuleDefault(
        name=WRITER,
        check_str='(role:member or role:admin) and '
                  'project_id:%(project_id)s',
        description='Change groups and memberships of the project.',
        scope_types=['project']),
]


def list_rules():
    return rules


def rule(name, check, description, method, path):
    return policy.DocumentedRuleDefault(
        name=name, check_str='rule:' + check, description=description,
        operations=[{'method': method, 'path': path}],
        scope_types=['project'])
