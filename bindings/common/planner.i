/* SWIG interface of fu_planner (language-neutral). */
