/* SWIG interface of fu_calendar (language-neutral). */
