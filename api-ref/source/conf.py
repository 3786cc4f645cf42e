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

"""Sphinx configuration of the membership API reference.

Build it, warnings as errors, from the top of the repository::

    sphinx-build -W -b html -d api-ref/build/doctrees \
        api-ref/source api-ref/build/html
"""

try:
    import openstackdocstheme  # noqa: F401
except ImportError:
    openstackdocstheme = None

extensions = [
    'os_api_ref',
]

source_suffix = {'.rst': 'restructuredtext'}
master_doc = 'index'

project = 'Membership API Reference'
copyright = '2026, membership developers'

# The .inc files are pulled in by index.rst; they are not documents.
exclude_patterns = ['**/*.inc']

pygments_style = 'sphinx'

# openstackdocstheme gives os_api_ref's collapsible methods their look, as
# in every OpenStack api-ref; without it the reference builds with
# Sphinx's own alabaster theme.
if openstackdocstheme is not None:
    extensions.insert(0, 'openstackdocstheme')
    openstackdocs_repo_name = 'openstack/membership'
    openstackdocs_auto_name = False
    openstackdocs_use_storyboard = False
    openstackdocs_bug_project = 'membership'
    openstackdocs_bug_tag = 'api-ref'
    html_theme = 'openstackdocs'
    html_theme_options = {'sidebar_mode': 'toc'}
else:
    html_theme = 'alabaster'
    html_theme_options = {
        'description': 'OpenStack-style group membership over HTTP',
    }

# Microversions known to the reference (membership/api/microversion.py).
os_api_ref_min_microversion = '1.0'
os_api_ref_max_microversion = '1.2'


def _reset_path_params(app, env, docnames):
    # os_api_ref tracks the path parameters of the last ``rest_method``
    # in ``env.path_params``; a ``rest_parameters`` table that documents
    # headers before any method (the identity headers, the error body)
    # needs the attribute to exist.
    if not hasattr(env, 'path_params'):
        env.path_params = []


def setup(app):
    app.connect('env-before-read-docs', _reset_path_params)
