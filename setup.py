"""Build the Python package with CMake (no scikit-build needed).

pyproject.toml holds the metadata; this file adds only the build step: the
extension ``followup._core`` and the SWIG-generated ``followup/core.py`` come
from the CMake target ``followup_python`` (SWIG over the shared C library,
which is shipped beside the module as ``followup/libfollowup.so.N``), built in
setuptools' build_temp and copied next to the pure-Python files.

Environment: ``CMAKE`` (the cmake program), ``CMAKE_ARGS`` (extra configure
arguments, e.g. ``-DCMAKE_BUILD_TYPE=Debug``), ``CMAKE_BUILD_PARALLEL_LEVEL``
(build jobs; default: ``build_ext -j`` or 2).
"""
import os
import pathlib
import re
import shlex
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = pathlib.Path(__file__).resolve().parent


def cmake_version() -> str:
    """The version of project(followup VERSION x.y.z) in CMakeLists.txt."""
    text = (ROOT / "CMakeLists.txt").read_text(encoding="utf-8")
    m = re.search(r"project\(\s*followup\s+VERSION\s+([0-9]+\.[0-9]+\.[0-9]+)", text)
    if not m:
        raise RuntimeError("no project(followup VERSION ...) in CMakeLists.txt")
    return m.group(1)


class CMakeExtension(Extension):
    def __init__(self, name: str, target: str) -> None:
        super().__init__(name, sources=[])
        self.target = target


class CMakeBuild(build_ext):
    """Configure once per build_temp, build the target, copy its outputs."""

    def build_extension(self, ext: Extension) -> None:
        if not isinstance(ext, CMakeExtension):
            return super().build_extension(ext)
        cmake = os.environ.get("CMAKE") or shutil.which("cmake")
        if not cmake:
            raise RuntimeError("building followup needs cmake (Debian: apt-get install cmake swig)")
        build_dir = pathlib.Path(self.build_temp).resolve() / "cmake"
        build_dir.mkdir(parents=True, exist_ok=True)
        configure = [
            cmake, "-S", str(ROOT), "-B", str(build_dir),
            "-DCMAKE_BUILD_TYPE=Release",
            f"-DPython3_EXECUTABLE={sys.executable}",
            "-DFU_BUILD_PYTHON=ON", "-DFU_BUILD_LUA=OFF", "-DFU_BUILD_TESTS=OFF",
            "-DFU_BUILD_EXAMPLES=OFF", "-DFU_BUILD_BENCH=OFF", "-DFU_BUILD_FUZZ=OFF",
            "-DFU_WERROR=OFF",
        ] + shlex.split(os.environ.get("CMAKE_ARGS", ""))
        self._run(configure)
        jobs = os.environ.get("CMAKE_BUILD_PARALLEL_LEVEL") or str(self.parallel or 2)
        self._run([cmake, "--build", str(build_dir), "--target", ext.target, "-j", jobs])

        pkg_build = build_dir / "python" / "followup"
        built = sorted(pkg_build.glob("_core*.so"))
        if not built or not (pkg_build / "core.py").exists():
            raise RuntimeError(f"CMake did not produce _core*.so and core.py in {pkg_build}")
        dest = pathlib.Path(self.get_ext_fullpath(ext.name)).resolve()
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built[0], dest)
        shutil.copymode(built[0], dest)
        shutil.copyfile(pkg_build / "core.py", dest.parent / "core.py")
        # the module links the shared C library and finds it beside itself
        # ($ORIGIN): the copy CMake put there (named by its SONAME) goes along
        libs = sorted(pkg_build.glob("libfollowup.so.*"))
        if not libs:
            raise RuntimeError(f"CMake did not put libfollowup.so.* beside the module in {pkg_build}")
        for lib in libs:
            shutil.copyfile(lib, dest.parent / lib.name)

    def _run(self, cmd) -> None:
        print(" ".join(shlex.quote(c) for c in cmd), flush=True)
        subprocess.run(cmd, check=True)


setup(
    version=cmake_version(),
    ext_modules=[CMakeExtension("followup._core", target="followup_python")],
    cmdclass={"build_ext": CMakeBuild},
    zip_safe=False,
)
