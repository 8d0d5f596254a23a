/* SWIG interface of the notes CSV reader (followup/notes.h), after segment.i
 * (its column typemaps):
 *
 *   followup.notes_read_csv(path) -> Notes
 *   followup.notes_read_csv_text(text, source_name=None) -> Notes
 *   Notes: count(), customer_ids() -> [str], ats() -> [int] (epoch seconds),
 *          texts() -> [str], lines() -> [int] (the line each record starts on)
 * Errors raise with the file, line, column and column name (missing column,
 * empty customer_id, a time without an offset, malformed CSV).
 */
%{
typedef struct fu_swig_notes {
    size_t n, cap;
    char **id, **text;
    long *at, *line;
} fu_swig_notes;

static void fu_swig_notes_free(fu_swig_notes *s) {
    if (!s) return;
    for (size_t i = 0; i < s->n; i++) {
        free(s->id[i]);
        free(s->text[i]);
    }
    free(s->id);
    free(s->text);
    free(s->at);
    free(s->line);
    free(s);
}

static int fu_swig_notes_add(const fu_note *note, void *ud) {
    fu_swig_notes *s = (fu_swig_notes *)ud;
    int failed = 0;
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 64;
        char **id = (char **)realloc(s->id, cap * sizeof *id);
        if (id) s->id = id;
        char **text = (char **)realloc(s->text, cap * sizeof *text);
        if (text) s->text = text;
        long *at = (long *)realloc(s->at, cap * sizeof *at);
        if (at) s->at = at;
        long *line = (long *)realloc(s->line, cap * sizeof *line);
        if (line) s->line = line;
        if (!id || !text || !at || !line) return fu_swig_nomem();
        s->cap = cap;
    }
    s->id[s->n] = fu_swig_strdup(note->customer_id, &failed);
    s->text[s->n] = fu_swig_strdup(note->text, &failed);
    if (failed) {
        free(s->id[s->n]);
        free(s->text[s->n]);
        return fu_swig_nomem();
    }
    s->at[s->n] = (long)note->at;
    s->line[s->n] = (long)note->record_line;
    s->n++;
    return FU_OK;
}

static fu_swig_notes *fu_swig_notes_read(const char *path, const char *text, size_t len, const char *source) {
    fu_swig_notes *s = (fu_swig_notes *)calloc(1, sizeof *s);
    if (!s) {
        fu_swig_nomem();
        return NULL;
    }
    int rc = path ? fu_notes_read_csv(path, fu_swig_notes_add, s)
                  : fu_notes_read_csv_from_string(text, len, source, fu_swig_notes_add, s);
    if (rc != FU_OK) {
        fu_swig_notes_free(s);
        return NULL;
    }
    return s;
}
static fu_swig_notes *fu_swig_notes_read_csv(const char *path) { return fu_swig_notes_read(path, NULL, 0, NULL); }
static fu_swig_notes *fu_swig_notes_read_csv_text(const char *text, size_t len, const char *source_name) {
    return fu_swig_notes_read(NULL, text ? text : "", text ? len : 0, source_name);
}

static size_t fu_swig_notes_m_count(fu_swig_notes *s) { return s->n; }
static void fu_swig_notes_m_customer_ids(fu_swig_notes *s, fu_swig_svec *SOUT) {
    if (fu_swig_svec_alloc(SOUT, s->n) != FU_OK) return;
    for (size_t i = 0; i < s->n; i++) SOUT->v[i] = s->id[i];
}
static void fu_swig_notes_m_texts(fu_swig_notes *s, fu_swig_svec *SOUT) {
    if (fu_swig_svec_alloc(SOUT, s->n) != FU_OK) return;
    for (size_t i = 0; i < s->n; i++) SOUT->v[i] = s->text[i];
}
static void fu_swig_notes_m_ats(fu_swig_notes *s, fu_swig_ivec *IOUT) {
    if (fu_swig_ivec_alloc(IOUT, s->n) != FU_OK || !s->n) return;
    memcpy(IOUT->v, s->at, s->n * sizeof *s->at);
}
static void fu_swig_notes_m_lines(fu_swig_notes *s, fu_swig_ivec *IOUT) {
    if (fu_swig_ivec_alloc(IOUT, s->n) != FU_OK || !s->n) return;
    memcpy(IOUT->v, s->line, s->n * sizeof *s->line);
}
%}

%rename(Notes) fu_swig_notes;
%nodefaultctor fu_swig_notes;
typedef struct fu_swig_notes {} fu_swig_notes;
%extend fu_swig_notes {
    ~fu_swig_notes() { fu_swig_notes_free($self); }
}
%rename(count) fu_swig_notes::m_count;
%rename(customer_ids) fu_swig_notes::m_customer_ids;
%rename(texts) fu_swig_notes::m_texts;
%rename(ats) fu_swig_notes::m_ats;
%rename(lines) fu_swig_notes::m_lines;
FU_RAISES(fu_swig_notes::m_customer_ids)
FU_RAISES(fu_swig_notes::m_texts)
FU_RAISES(fu_swig_notes::m_ats)
FU_RAISES(fu_swig_notes::m_lines)
%extend fu_swig_notes {
    size_t m_count();
    void m_customer_ids(fu_swig_svec *SOUT);
    void m_texts(fu_swig_svec *SOUT);
    void m_ats(fu_swig_ivec *IOUT);
    void m_lines(fu_swig_ivec *IOUT);
}

%newobject fu_swig_notes_read_csv;
%newobject fu_swig_notes_read_csv_text;
FU_RAISES(fu_swig_notes_read_csv)
FU_RAISES(fu_swig_notes_read_csv_text)
%rename(notes_read_csv) fu_swig_notes_read_csv;
%rename(notes_read_csv_text) fu_swig_notes_read_csv_text;
fu_swig_notes *fu_swig_notes_read_csv(const char *path);
fu_swig_notes *fu_swig_notes_read_csv_text(const char *text, size_t len, const char *source_name = NULL);
