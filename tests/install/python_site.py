"""`cmake --install --prefix P` puts the Python package where the interpreter
looks for P: on Debian /usr -> /usr/lib/python3/dist-packages and /usr/local
-> /usr/local/lib/python3.X/dist-packages, both on sys.path.

Usage: python3 python_site.py BUILD_DIR   (installs under a temporary DESTDIR)
"""
import os
import pathlib
import subprocess
import sys
import sysconfig
import tempfile


def expected_site(prefix: str) -> str:
    if "deb_system" in sysconfig.get_scheme_names():   # Debian's python3
        scheme = "deb_system" if prefix == "/usr" else "posix_local"
        return sysconfig.get_paths(scheme)["platlib"]
    return sysconfig.get_paths(vars={"base": prefix, "platbase": prefix})["platlib"]


def main() -> int:
    build = sys.argv[1]
    failures = []
    for prefix in ("/usr", "/usr/local"):
        with tempfile.TemporaryDirectory(prefix="fu-pysite.") as dest:
            env = dict(os.environ, DESTDIR=dest)
            subprocess.run([os.environ.get("CMAKE", "cmake"), "--install", build, "--prefix", prefix], env=env, check=True,
                           stdout=subprocess.DEVNULL)
            inits = sorted(pathlib.Path(dest).rglob("followup/__init__.py"))
            if len(inits) != 1:
                failures.append(f"{prefix}: expected one followup/__init__.py, found {inits}")
                continue
            site = "/" + str(inits[0].parent.parent.relative_to(dest))
            want = expected_site(prefix)
            print(f"--prefix {prefix}: {site} (interpreter: {want})")
            if site != want:
                failures.append(f"{prefix}: installed in {site}, the interpreter uses {want}")
            if prefix in ("/usr", "/usr/local") and want not in sys.path:
                failures.append(f"{prefix}: {want} is not on sys.path {sys.path}")
            # it imports from there (isolated from the build tree)
            r = subprocess.run([sys.executable, "-c",
                                "import followup, sys; print(followup.__file__, followup.__version__)"],
                               env=dict(os.environ, PYTHONPATH=dest + site), cwd=dest,
                               capture_output=True, text=True)
            if r.returncode != 0 or not r.stdout.startswith(dest + site):
                failures.append(f"{prefix}: import failed: {r.stdout} {r.stderr}")
    for f in failures:
        print("FAIL", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
