# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.

"""Sphinx configuration of the membership documentation.

Built by ``tox -e docs``, warnings as errors::

    sphinx-build -W -b html -d doc/build/doctrees doc/source doc/build/html

The configuration and policy references are generated from the options
and rules registered in code (the ``oslo.config.opts`` and
``oslo.policy.policies`` entry points), and the CLI reference from the
``openstack.membership.v1`` commands, so membership must be installed
(tox installs it in develop mode).
"""

extensions = [
    'oslo_config.sphinxext',
    'oslo_policy.sphinxext',
    'cliff.sphinxext',
]

# The CLI reference (user/cli.rst) is generated from the commands.
autoprogram_cliff_application = 'openstack'

source_suffix = {'.rst': 'restructuredtext'}
master_doc = 'index'

project = 'membership'
copyright = '2026, membership developers'

exclude_patterns = []

pygments_style = 'sphinx'

# Sphinx's own theme: the docs env installs no openstackdocstheme.
html_theme = 'alabaster'
html_theme_options = {
    'description': 'OpenStack-style group membership over HTTP',
}
html_static_path = []
