"""The one compiled part: native/pyeval_shim.c (see its comment; metadata is in pyproject.toml).

durable-rules ships only as source, so every install already needs a C
compiler; the shim adds nothing to that.  It is built on every Python so the
wheel carries the tag of the Python it was built for (a wheel built on 3.11
must not be installed on 3.13, where the shim is needed).
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension("_compliance_pyeval_shim", ["native/pyeval_shim.c"])])
