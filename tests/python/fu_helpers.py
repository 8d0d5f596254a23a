"""Helpers several Python test files share (imported as a plain module: pytest
puts this directory on sys.path)."""
import os
import random
import subprocess

import followup

H = 3600
D = 86400
# the planner tests' customers and events CSV headers
CUST_HDR = "customer_id,tz,annual_spend,first_purchase_at,industry,is_smb,consent_phone,consent_sms,consent_email\n"
EV_HDR = "customer_id,at,kind,order_id,product_class,unit_price,amount,severity,channel,outcome\n"
# the followup tool, when built (tests of it are skipped otherwise)
CLI = os.environ.get("FU_CLI", "")


def T(text):
    """An ISO 8601 instant in UTC seconds."""
    return followup.time_parse(text)


def make_book(customers, events, cust_hdr=CUST_HDR, ev_hdr=EV_HDR):
    """A finalized book of customer and event rows (CSV without header)."""
    b = followup.Book()
    b.read_customers_text(cust_hdr + customers, "c.csv")
    b.read_events_text(ev_hdr + events, "e.csv")
    b.finalize()
    return b


def book_of_dir(d):
    """The finalized book of d/customers.csv and d/events.csv."""
    b = followup.Book()
    b.read_customers_csv(str(d / "customers.csv"))
    b.read_events_csv(str(d / "events.csv"))
    b.finalize()
    return b


def sample_book(srcdir):
    """The finalized book of examples/sample/data (300 customers)."""
    return book_of_dir(srcdir / "examples" / "sample" / "data")


def bgnbd_sample(n, seed=7):
    """n customers of a BG/NBD process (heterogeneous purchase rates and
    drop-out probabilities, 20 to 39 periods observed): lists x, t_x, T."""
    rng = random.Random(seed)
    x, t_x, T = [], [], []
    for _ in range(n):
        lam, p, TT = rng.gammavariate(0.25, 0.25), rng.betavariate(0.8, 2.4), 20 + 19 * rng.random()
        t, k, last = 0.0, 0, 0.0
        while True:
            t += rng.expovariate(lam)
            if t > TT:
                break
            k, last = k + 1, t
            if rng.random() < p:
                break
        x.append(float(k)); t_x.append(last); T.append(TT)
    return x, t_x, T


def run_cli(*args):
    """Run the followup tool; its CompletedProcess (text output)."""
    return subprocess.run([CLI, *args], capture_output=True, text=True, timeout=120)


def cn2025():
    """Shanghai office hours with the 2025 National Day holiday and its
    make-up Sunday (the commitment tests' calendar)."""
    cal = followup.Calendar("Asia/Shanghai")
    cal.set_hours_text("Mon-Fri 09:00-18:00")
    cal.add_holiday(followup.Date(2025, 10, 1), followup.Date(2025, 10, 8))
    cal.add_workday(followup.Date(2025, 9, 28))
    return cal


def two_delivery_book():
    """K1 and K2 in Singapore, phone and SMS consent, one delivery each on
    Sunday 2026-10-11 10:00 (+08:00), its first contact made (answered) on
    Monday 10-12 09:00 (with agents a later run would plan it overdue)."""
    return make_book("K1,Asia/Singapore,yes,yes\nK2,Asia/Singapore,yes,yes\n",
                     "K1,2026-10-11T10:00:00+08:00,delivery,,\nK2,2026-10-11T10:00:00+08:00,delivery,,\n"
                     "K1,2026-10-12T09:00:00+08:00,contact,phone,answered\n"
                     "K2,2026-10-12T09:05:00+08:00,contact,phone,answered\n",
                     cust_hdr="customer_id,tz,consent_phone,consent_sms\n",
                     ev_hdr="customer_id,at,kind,channel,outcome\n")
