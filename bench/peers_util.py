"""What the peers_*.py benchmarks share: the lifetimes package (with its
autograd dependency), which is not packaged and comes from a peers directory
(--peers, FU_PEERS; bench/setup.sh)."""
import os
import sys
import warnings


def import_lifetimes(peers, prog):
    """The lifetimes module from PEERS/lifetimes and PEERS/autograd, or None
    after printing "PROG: lifetimes/autograd not found under PEERS (--peers);
    skipped", or, when lifetimes is there but a package it imports is not
    (scipy, dill, ... from Debian), "PROG: lifetimes needs the Python package
    NAME (run bench/setup.sh); skipped". Its warnings are silenced."""
    lt_dir, ag_dir = os.path.join(peers, "lifetimes"), os.path.join(peers, "autograd")
    if not (os.path.isdir(lt_dir) and os.path.isdir(ag_dir)):
        print("%s: lifetimes/autograd not found under %s (--peers); skipped" % (prog, peers))
        return None
    sys.path[:0] = [lt_dir, ag_dir]
    warnings.filterwarnings("ignore")
    try:
        import lifetimes
    except ImportError as e:
        missing = getattr(e, "name", None) or str(e)
        print("%s: lifetimes needs the Python package %s (run bench/setup.sh); skipped"
              % (prog, missing))
        return None
    return lifetimes
