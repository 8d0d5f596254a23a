/* SWIG interface of fu_besttime (language-neutral). */
