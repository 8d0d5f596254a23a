/* SWIG interface of fu_segment (language-neutral). */
