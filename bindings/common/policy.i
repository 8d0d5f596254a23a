/* SWIG interface of fu_policy (language-neutral). */
