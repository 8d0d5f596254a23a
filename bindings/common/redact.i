/* SWIG interface of fu_redact (language-neutral; per-language pieces are
 * under #ifdef SWIGPYTHON / SWIGLUA).
 *
 *   Redactor(kinds=REDACT_ALL_BUILTIN, mask_char="*", cjk_numerals=False)
 *     (cjk_numerals: also numbers in Chinese numerals, FU_REDACT_CJK_NUMERALS)
 *     apply(text) -> str          count(kind) -> int     total() -> int
 *     reset_counts()              uses_jit() -> bool
 *     apply_many(texts) -> list / numpy array / Series (Python: one C call)
 *   redactor_from_policy(policy) -> Redactor
 *   redact_kind_name(kind) -> str
 *   redact_id_cn_valid(text) -> bool, redact_luhn_valid(text) -> bool
 *   constants REDACT_MOBILE_CN, REDACT_LANDLINE_CN, REDACT_E164, REDACT_ID_CN,
 *   REDACT_BANK_CARD, REDACT_EMAIL, REDACT_EXTRA, REDACT_ALL_BUILTIN
 * Failures raise (followup.Error subclasses in Python, error tables in Lua);
 * a text that hits a match limit raises instead of coming back unmasked.
 *
 * Methods are written m_<name> and renamed (SWIG would name the helper of an
 * %extend method fu_redactor_<name>, colliding with the C API).
 */

%{
#include <stdbool.h>
%}


%constant int REDACT_MOBILE_CN = FU_REDACT_MOBILE_CN;
%constant int REDACT_LANDLINE_CN = FU_REDACT_LANDLINE_CN;
%constant int REDACT_E164 = FU_REDACT_E164;
%constant int REDACT_ID_CN = FU_REDACT_ID_CN;
%constant int REDACT_BANK_CARD = FU_REDACT_BANK_CARD;
%constant int REDACT_EMAIL = FU_REDACT_EMAIL;
%constant int REDACT_EXTRA = FU_REDACT_EXTRA;
%constant unsigned int REDACT_ALL_BUILTIN = FU_REDACT_ALL_BUILTIN;

%{
static fu_redactor *fu_swig_redactor_from_policy(const fu_policy *policy) {
    fu_redactor *r = NULL;
    fu_redactor_new_from_policy(&r, policy);
    return r;
}
static bool fu_swig_redact_id_cn_valid(const char *text, size_t len) {
    return fu_redact_id_cn_valid(text, len) != 0;
}
static bool fu_swig_redact_luhn_valid(const char *text, size_t len) {
    return fu_redact_luhn_valid(text, len) != 0;
}
%}
%newobject fu_swig_redactor_from_policy;
FU_RAISES(fu_swig_redactor_from_policy)
%rename(redactor_from_policy) fu_swig_redactor_from_policy;
%rename(redact_id_cn_valid) fu_swig_redact_id_cn_valid;
%rename(redact_luhn_valid) fu_swig_redact_luhn_valid;
%rename(redact_kind_name) fu_redact_kind_name;
fu_redactor *fu_swig_redactor_from_policy(const fu_policy *policy);
bool fu_swig_redact_id_cn_valid(const char *text, size_t len);
bool fu_swig_redact_luhn_valid(const char *text, size_t len);
const char *fu_redact_kind_name(int kind);

%rename(Redactor) fu_redactor;
typedef struct fu_redactor {} fu_redactor;
FU_RAISES(fu_redactor::fu_redactor)
FU_RAISES(fu_redactor::m_apply)
%newobject fu_redactor::m_apply;
%typemap(newfree) char *fu_redactor::m_apply "fu_free($1);";
%rename(apply) fu_redactor::m_apply;
%rename(count) fu_redactor::m_count;
%rename(total) fu_redactor::m_total;
%rename(reset_counts) fu_redactor::m_reset_counts;
%rename(uses_jit) fu_redactor::m_uses_jit;
#ifdef SWIGPYTHON
%feature("kwargs") fu_redactor::fu_redactor; /* Redactor(kinds=..., mask_char="#") */
#endif
%extend fu_redactor {
    fu_redactor(unsigned int kinds = FU_REDACT_ALL_BUILTIN, const char *mask_char = NULL,
                bool cjk_numerals = false) {
        fu_redact_options o = FU_REDACT_OPTIONS_INIT;
        o.kinds = kinds;
        if (cjk_numerals) o.flags |= FU_REDACT_CJK_NUMERALS;
        if (mask_char) {
            /* one printable ASCII character: "" or "ab" is refused, not read as '*' or 'a' */
            unsigned char c = (unsigned char)mask_char[0];
            if (c < 0x20 || c >= 0x7f || mask_char[1]) {
                fu_error_set(FU_EINVAL, "Redactor: mask_char must be one printable ASCII character, "
                             "got \"%.16s\" (%zu bytes)", mask_char, strlen(mask_char));
                return NULL;
            }
            o.mask_char = (char)c;
        }
        fu_redactor *r = NULL;
        fu_redactor_new(&r, &o);
        return r;
    }
    ~fu_redactor() { fu_redactor_free($self); }
    /* The masked text; NULL (and the error set) when a limit stopped it. */
    char *m_apply(const char *text, size_t len) {
        char *out = NULL;
        fu_redactor_apply($self, text, len, NULL, &out);
        return out;
    }
    size_t m_count(int kind) {
        fu_redact_stats c;
        fu_redactor_get_stats($self, &c);
        return kind >= 0 && kind < FU_REDACT_KIND_COUNT ? c.by_kind[kind] : 0;
    }
    size_t m_total() {
        fu_redact_stats c;
        fu_redactor_get_stats($self, &c);
        return c.total;
    }
    void m_reset_counts() { fu_redactor_reset_stats($self); }
    bool m_uses_jit() { return fu_redactor_uses_jit($self) != 0; }
}

#ifdef SWIGPYTHON
%pythoncode %{
def _redact_many_array(values):
    """A 1-D object array of the list ``values`` (numpy.fromiter: half the time of a slice assignment)."""
    import numpy
    try:
        return numpy.fromiter(values, dtype=object, count=len(values))
    except (TypeError, ValueError):  # numpy < 1.23: no object dtype in fromiter
        out = numpy.empty(len(values), dtype=object)
        out[:] = values
        return out
%}
%extend fu_redactor {
%pythoncode %{
    def apply_many(self, texts):
        """apply_many(self, texts) -> list | numpy.ndarray | pandas.Series

        Mask many texts at once (the library's bulk call, in batches of
        1024 texts, the GIL released for each): the same texts and counts as
        apply() on each. ``texts``: a list or any
        iterable of str (gives a list), a 1-D numpy object array (gives one)
        or a pandas Series (gives a Series with its index and name). None,
        NaN and pandas.NA items (missing notes) come back as they are; a text that comes
        back unchanged is the same str object. When a text fails (a match
        limit) the call raises, naming its batch; the counts then hold the
        earlier batches, not the failing one."""
        if isinstance(texts, (str, bytes, bytearray)):
            # a lone text would be masked character by character: nothing matches
            raise TypeError("apply_many(): expected a list, array or Series of texts, got %s; "
                            "use apply() for one text" % type(texts).__name__)
        if hasattr(texts, "keys") and hasattr(texts, "values") and not hasattr(texts, "to_numpy"):
            # a mapping would be iterated by its keys: the notes (its values) would not be masked
            raise TypeError("apply_many(): expected a list, array or Series of texts, got %s (iterating "
                            "it gives its keys); pass list(d.values()) or a pandas Series" % type(texts).__name__)
        if hasattr(texts, "to_numpy") and hasattr(texts, "index"):  # a pandas Series
            import pandas
            out = _redact_many_array(_redact_many(self, texts.tolist()))
            return pandas.Series(out, index=texts.index, name=texts.name, copy=False)
        if hasattr(texts, "tolist") and hasattr(texts, "ndim"):  # a numpy array
            if texts.ndim != 1:
                raise ValueError("apply_many(): expected a 1-D array, got shape %s" % (texts.shape,))
            return _redact_many_array(_redact_many(self, texts.tolist()))
        return _redact_many(self, texts if type(texts) is list else list(texts))
%}
}
#endif
