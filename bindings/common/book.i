/* SWIG interface of fu_book (language-neutral). */
