/* SWIG interface of fu_kpi (language-neutral). */
