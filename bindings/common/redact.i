/* SWIG interface of fu_redact (language-neutral). */
