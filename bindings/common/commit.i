/* SWIG interface of fu_commit (language-neutral). */
