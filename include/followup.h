/**
 * @file followup.h
 * @brief libfollowup: after-sales customer follow-up.
 *
 * The umbrella header: include it to get every module. Each module has a
 * header of its own under followup/ that reads as its manual.
 */
#ifndef FOLLOWUP_H
#define FOLLOWUP_H

#include "followup/common.h"
#include "followup/stats.h"
/* one line per module, kept in the order of the data flow in docs/architecture.md */
#include "followup/calendar.h"
#include "followup/policy.h"
#include "followup/book.h"
#include "followup/segment.h"
#include "followup/segment_run.h"
#include "followup/planner.h"
#include "followup/capacity.h"
#include "followup/besttime.h"
#include "followup/commit.h"
#include "followup/redact.h"
#include "followup/kpi.h"
#include "followup/frequency.h"
#include "followup/guard.h"
#include "followup/simulate.h"
#include "followup/notes.h"
#include "followup/output.h"

#endif /* FOLLOWUP_H */
