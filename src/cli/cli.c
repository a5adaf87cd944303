/*
 * cli.c - option parsing, colour, diagnostics and output for the
 * subcommands (see cli.h).
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "units.h"
#include "util.h"

static const cli_option *find_long(const cli_command *cmd, const char *name,
                                   size_t len) {
  for (size_t i = 0; i < cmd->n_options; i++)
    if (strlen(cmd->options[i].name) == len &&
        !strncmp(cmd->options[i].name, name, len))
      return &cmd->options[i];
  return NULL;
}

static const cli_option *find_short(const cli_command *cmd, char c) {
  for (size_t i = 0; i < cmd->n_options; i++)
    if (cmd->options[i].short_name && cmd->options[i].short_name == c)
      return &cmd->options[i];
  return NULL;
}

static void usage_line(const cli_command *cmd, FILE *f) {
  fprintf(f, "usage: capplan %s%s%s%s\n", cmd->name, cmd->args ? " " : "",
          cmd->args ? cmd->args : "",
          cmd->n_options && !cmd->example ? " [options]" : "");
}

/* What a usage error ends with: an example, or where the options are. */
static void usage_tail(const cli_command *cmd, FILE *f) {
  usage_line(cmd, f);
  if (cmd->example)
    fprintf(f, "e.g.   %s\n", cmd->example);
  else
    fprintf(f, "run 'capplan help %s' for its options\n", cmd->name);
}

void cli_put_safe(FILE *f, const char *s) {
  capplan_buf b;
  capplan_buf_init(&b);
  text_puts(&b, s);
  if (b.len)
    fwrite(b.data, 1, b.len, f);
  capplan_buf_release(&b);
}

int cli_usage_error(const cli_command *cmd, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  capplan_buf msg;
  capplan_buf_init(&msg);
  capplan_buf_vprintf(&msg, fmt, ap);
  va_end(ap);
  /* Messages quote the command line, which may hold anything. */
  fprintf(stderr, "capplan %s: error: ", cmd->name);
  cli_put_safe(stderr, msg.data);
  fputc('\n', stderr);
  capplan_buf_release(&msg);
  usage_tail(cmd, stderr);
  return CAPPLAN_EXIT_INPUT;
}

int cli_one_spec(const cli_command *cmd, const cli_args *a) {
  if (a->n_positional == 0)
    return cli_usage_error(cmd,
                           "missing SPEC (a file, or - for standard input)");
  if (a->n_positional > 1)
    return cli_usage_error(cmd, "expected one SPEC, got %zu: '%s', '%s'%s",
                           a->n_positional, a->positional[0], a->positional[1],
                           a->n_positional > 2 ? ", ..." : "");
  return 0;
}

int cli_value_error(const cli_command *cmd, const char *message,
                    const char *text, const char *help) {
  fprintf(stderr, "capplan %s: error: ", cmd->name);
  cli_put_safe(stderr, message);
  fputs(", got '", stderr);
  cli_put_safe(stderr, text);
  fputs("'\n", stderr);
  if (help && *help) {
    fputs("  = help: ", stderr);
    cli_put_safe(stderr, help);
    fputc('\n', stderr);
  }
  usage_tail(cmd, stderr);
  return CAPPLAN_EXIT_INPUT;
}

void cli_print_help(const cli_command *cmd) {
  usage_line(cmd, stdout);
  printf("\n%s\n", cmd->summary);
  if (cmd->help)
    printf("\n%s\n", cmd->help);
  if (!cmd->n_options)
    return;
  printf("\noptions:\n");
  size_t w = 0;
  char left[96];
  for (size_t pass = 0; pass < 2; pass++) {
    for (size_t i = 0; i <= cmd->n_options; i++) {
      const cli_option *o = i < cmd->n_options ? &cmd->options[i] : NULL;
      if (o && o->short_name)
        snprintf(left, sizeof left, "-%c, --%s%s%s", o->short_name, o->name,
                 o->value ? " " : "", o->value ? o->value : "");
      else if (o)
        snprintf(left, sizeof left, "    --%s%s%s", o->name,
                 o->value ? " " : "", o->value ? o->value : "");
      else
        snprintf(left, sizeof left, "-h, --help");
      if (pass == 0 && strlen(left) > w)
        w = strlen(left);
      if (pass == 1)
        printf("  %-*s  %s\n", (int)w, left, o ? o->help : "show this help");
    }
  }
}

static int unknown_option(const cli_command *cmd, const char *arg, size_t len) {
  const char *names[32];
  char buf[32][48];
  size_t n = 0;
  for (size_t i = 0; i < cmd->n_options && n < 31; i++) {
    snprintf(buf[n], sizeof buf[n], "--%s", cmd->options[i].name);
    names[n] = buf[n];
    n++;
  }
  snprintf(buf[n], sizeof buf[n], "--help");
  names[n] = buf[n];
  n++;
  char word[64];
  snprintf(word, sizeof word, "%.*s", (int)(len < 63 ? len : 63), arg);
  const char *best = closest_word(word, names, n);
  if (best)
    return cli_usage_error(cmd, "unknown option '%s' (did you mean '%s'?)",
                           word, best);
  return cli_usage_error(cmd, "unknown option '%s'", word);
}

int cli_parse(const cli_command *cmd, int argc, char **argv, cli_args *out) {
  memset(out, 0, sizeof *out);
  out->values = xcalloc(cmd->n_options + 1, sizeof(char *));
  out->lists = xcalloc(cmd->n_options + 1, sizeof(char *const *));
  out->counts = xcalloc(cmd->n_options + 1, sizeof(size_t));
  out->positional = xcalloc((size_t)argc + 1, sizeof(char *));
  out->after_option = xcalloc((size_t)argc + 1, sizeof(long));
  long last_option = -1; /* the option whose values just ended */
  bool only_positional = false;
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    if (only_positional || a[0] != '-' || !strcmp(a, "-")) {
      out->after_option[out->n_positional] = last_option;
      out->positional[out->n_positional++] = a;
      last_option = -1;
      continue;
    }
    if (!strcmp(a, "--")) {
      only_positional = true;
      continue;
    }
    const cli_option *o;
    const char *inline_value = NULL;
    char shown[64];
    if (a[1] == '-') {
      const char *name = a + 2, *eq = strchr(name, '=');
      size_t len = eq ? (size_t)(eq - name) : strlen(name);
      if (len == 4 && !strncmp(name, "help", 4)) {
        out->help = true;
        continue;
      }
      o = find_long(cmd, name, len);
      if (!o) {
        cli_args_release(out);
        return unknown_option(cmd, a, eq ? (size_t)(eq - a) : strlen(a));
      }
      inline_value = eq ? eq + 1 : NULL;
      snprintf(shown, sizeof shown, "--%s", o->name);
    } else {
      if (a[1] == 'h' && !a[2]) {
        out->help = true;
        continue;
      }
      o = find_short(cmd, a[1]);
      if (!o) {
        cli_args_release(out);
        return unknown_option(cmd, a, 2);
      }
      inline_value = a[2] ? a + 2 : NULL;
      snprintf(shown, sizeof shown, "-%c", o->short_name);
    }
    size_t k = (size_t)(o - cmd->options);
    last_option = (long)k;
    if ((o->flags & CLI_ONCE) && out->values[k]) {
      cli_args_release(out);
      return cli_usage_error(cmd, "option '%s' given twice", shown);
    }
    if (o->value && (o->flags & CLI_LIST) && !inline_value) {
      /* The values up to the next --option. */
      size_t n = 0, next = (size_t)i + 1;
      while (next + n < (size_t)argc && strncmp(argv[next + n], "--", 2))
        n++;
      if (n == 0) {
        cli_args_release(out);
        return cli_usage_error(cmd, "option '%s' needs a value (%s)", shown,
                               o->value);
      }
      out->lists[k] = &argv[i + 1];
      out->counts[k] = n;
      out->values[k] = argv[i + 1];
      i += (int)n;
    } else if (o->value) {
      if (!inline_value) {
        if (i + 1 >= argc) {
          cli_args_release(out);
          return cli_usage_error(cmd, "option '%s' needs a value (%s)", shown,
                                 o->value);
        }
        inline_value = argv[++i];
        out->lists[k] = &argv[i];
      }
      out->values[k] = inline_value;
      out->counts[k] = 1;
    } else {
      if (inline_value) {
        cli_args_release(out);
        return cli_usage_error(cmd, "option '%s' takes no value", shown);
      }
      out->values[k] = "";
    }
  }
  /* Values of the options every command shares are checked here, once,
   * before any work is done. */
  const char *df = cli_value(cmd, out, "diagnostics-format");
  enum capplan_diag_format dfmt;
  if (df && capplan_diag_format_parse(df, &dfmt) < 0) {
    cli_usage_error(cmd,
                    "--diagnostics-format takes text, github or json, "
                    "not '%s'",
                    df);
    cli_args_release(out);
    return -1;
  }
  return 0;
}

void cli_args_release(cli_args *a) {
  free(a->values);
  free(a->lists);
  free(a->counts);
  free(a->positional);
  free(a->after_option);
  memset(a, 0, sizeof *a);
}

const char *cli_value(const cli_command *cmd, const cli_args *a,
                      const char *name) {
  for (size_t i = 0; i < cmd->n_options; i++)
    if (!strcmp(cmd->options[i].name, name))
      return a->values[i];
  return NULL;
}

int cli_color(const char *when, int fd, bool *out) {
  if (!when || !strcmp(when, "auto")) {
    /* A dumb terminal (an editor's shell buffer, some CI consoles) shows
     * escape codes as text. */
    const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");
    *out = !(nc && *nc) && !(term && !strcmp(term, "dumb")) && isatty(fd);
    return 0;
  }
  if (!strcmp(when, "always")) {
    *out = true;
    return 0;
  }
  if (!strcmp(when, "never")) {
    *out = false;
    return 0;
  }
  return -1;
}

void cli_print_diags(capplan_diags *d, const char *when) {
  cli_diag_opts dg = {when, NULL, NULL, true};
  cli_print_diags_with(d, &dg);
}

cli_diag_opts cli_diag_opts_of(const cli_command *cmd, const cli_args *a) {
  cli_diag_opts dg = {cli_value(cmd, a, "color"),
                      cli_value(cmd, a, "diagnostics-format"), NULL, true};
  return dg;
}

void cli_flush_json_diags(cli_diag_opts *dg) {
  if (!dg->json)
    return;
  fputs(dg->json_first ? "[]\n" : "[", stderr);
  if (!dg->json_first) {
    fwrite(dg->json->data, 1, dg->json->len, stderr);
    fputs("\n]\n", stderr);
  }
  fflush(stderr);
}

void cli_print_diags_with(capplan_diags *d, cli_diag_opts *dg) {
  enum capplan_diag_format format = CAPPLAN_DIAG_TEXT;
  if (dg->format && capplan_diag_format_parse(dg->format, &format) < 0)
    format = CAPPLAN_DIAG_TEXT; /* cli_parse refused it already */
  if (format == CAPPLAN_DIAG_JSON && dg->json) {
    capplan_diags_sort(d);
    capplan_diags_render_json_items(d, "", &dg->json_first, dg->json);
    return;
  }
  if (format == CAPPLAN_DIAG_JSON) {
    /* One array, empty or not, so a reader can always parse stderr. */
    capplan_diags_sort(d);
    capplan_buf b;
    capplan_buf_init(&b);
    capplan_diags_render_json(d, "", &b);
    capplan_buf_putc(&b, '\n');
    fwrite(b.data, 1, b.len, stderr);
    fflush(stderr);
    capplan_buf_release(&b);
    return;
  }
  if (!d->count)
    return;
  capplan_diags_sort(d);
  if (format == CAPPLAN_DIAG_GITHUB) {
    capplan_buf b;
    capplan_buf_init(&b);
    capplan_diags_render_github(d, &b);
    fwrite(b.data, 1, b.len, stderr);
    fflush(stderr);
    capplan_buf_release(&b);
    return;
  }
  bool color = false;
  if (cli_color(dg->color, STDERR_FILENO, &color) < 0)
    color = false;
  capplan_buf b;
  capplan_buf_init(&b);
  capplan_diags_render(d, color, &b);
  /* A count once there is more than one thing to count. */
  if (d->count > 1) {
    if (d->errors)
      capplan_buf_printf(&b, "%zu error%s", d->errors,
                         d->errors == 1 ? "" : "s");
    if (d->errors && d->warnings)
      capplan_buf_puts(&b, ", ");
    if (d->warnings)
      capplan_buf_printf(&b, "%zu warning%s", d->warnings,
                         d->warnings == 1 ? "" : "s");
    capplan_buf_putc(&b, '\n');
  }
  fwrite(b.data, 1, b.len, stderr);
  fflush(stderr);
  capplan_buf_release(&b);
}

static int write_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR)
        continue;
      return -1;
    }
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

static int io_error(const char *what, const char *path) {
  int err = errno;
  fprintf(stderr, "capplan: error: cannot %s '", what);
  cli_put_safe(stderr, path);
  fprintf(stderr, "': %s\n", strerror(err));
  return CAPPLAN_EXIT_IO;
}

/* The file PATH names once symbolic links are followed, so that -o
 * writes through a link to its target and leaves the link in place.
 * Relative targets are read from the link's directory.  Stops after 40
 * links, as the kernel does (the write then fails with ELOOP).  Returns
 * a copy the caller frees. */
static char *follow_links(const char *path) {
  char *cur = xstrdup(path);
  for (int hops = 0; hops < 40; hops++) {
    struct stat st;
    if (lstat(cur, &st) != 0 || !S_ISLNK(st.st_mode))
      return cur;
    size_t cap = 256;
    char *target = NULL;
    ssize_t n;
    for (;;) {
      target = xrealloc(target, cap);
      n = readlink(cur, target, cap);
      if (n < 0 || (size_t)n < cap)
        break;
      cap *= 2;
    }
    if (n < 0) {
      free(target);
      return cur;
    }
    target[n] = '\0';
    const char *slash = strrchr(cur, '/');
    if (target[0] != '/' && slash) {
      capplan_buf joined;
      capplan_buf_init(&joined);
      capplan_buf_printf(&joined, "%.*s%s", (int)(slash - cur + 1), cur,
                         target);
      free(target);
      target = joined.data;
    }
    free(cur);
    cur = target;
  }
  return cur;
}

/* Where cli_write and a streamed report go: standard output, a device or
 * pipe written in place, or a temporary file renamed over the target.
 * The first failed write is remembered and ends the writing; the close
 * reports it. */
typedef struct cli_sink {
  const char *path; /* as the user wrote it; NULL: standard output */
  int fd;           /* the device's or the temporary file's; -1 */
  char *target;     /* the file links lead to (temporary file only) */
  capplan_buf tmp;  /* the temporary file's name */
  int err;          /* errno of the first failure, or 0 */
  bool failed;
} cli_sink;

/* Opens where PATH says.  Returns 0, or CAPPLAN_EXIT_IO after printing
 * why (nothing to close then). */
static int sink_open(cli_sink *s, const char *path) {
  memset(s, 0, sizeof *s);
  s->fd = -1;
  capplan_buf_init(&s->tmp);
  if (!path || !strcmp(path, "-"))
    return 0;
  s->path = path;
  /* Devices and pipes cannot be replaced by a rename: write to them. */
  struct stat st;
  if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
    s->fd = open(path, O_WRONLY);
    return s->fd < 0 ? io_error("open", path) : 0;
  }
  /* Regular files: a temporary file in the same directory, then rename,
   * so readers see the old file or the whole new one, never a part.  A
   * symbolic link is written through: the target is replaced (keeping
   * the link), and an existing file keeps its permissions (and, where
   * the user may, its owner); a new one gets the umask's. */
  char *target = follow_links(path);
  struct stat old;
  bool exists = lstat(target, &old) == 0;
  if (exists && S_ISLNK(old.st_mode)) {
    free(target);
    errno = ELOOP;
    return io_error("write", path);
  }
  if (exists && access(target, W_OK) != 0) {
    free(target);
    return io_error("write", path);
  }
  const char *slash = strrchr(target, '/');
  size_t dir_len = slash ? (size_t)(slash - target) + 1 : 0;
  capplan_buf_printf(&s->tmp, "%.*s.%s.XXXXXX", (int)dir_len, target,
                     target + dir_len);
  int fd = mkstemp(s->tmp.data);
  if (fd < 0) {
    /* Say what failed: the file itself may well exist (/proc/version),
     * but -o needs a new file beside it. */
    int err = errno;
    fputs("capplan: error: cannot write '", stderr);
    cli_put_safe(stderr, path);
    fputs("': cannot create a temporary file in ", stderr);
    if (dir_len) {
      capplan_buf dir;
      capplan_buf_init(&dir);
      capplan_buf_put(&dir, target, dir_len > 1 ? dir_len - 1 : dir_len);
      fputc('\'', stderr);
      cli_put_safe(stderr, dir.data);
      fputc('\'', stderr);
      capplan_buf_release(&dir);
    } else {
      fputs("the current directory", stderr);
    }
    fprintf(stderr,
            ": %s\n  = help: -o writes a new file beside FILE and renames "
            "it over FILE, so FILE must be in a directory that takes new "
            "files\n",
            strerror(err));
    capplan_buf_release(&s->tmp);
    free(target);
    return CAPPLAN_EXIT_IO;
  }
  s->fd = fd;
  s->target = target;
  mode_t mode;
  if (exists) {
    mode = old.st_mode & 0777;
    /* Best effort: only root may give a file away, and a group change
     * may be refused; the permissions are what matter. */
    if (fchown(fd, old.st_uid, old.st_gid) != 0)
      errno = 0;
  } else {
    mode_t mask = umask(0);
    umask(mask);
    mode = 0666 & ~mask;
  }
  if (fchmod(fd, mode)) {
    s->failed = true;
    s->err = errno;
  }
  return 0;
}

/* Writes N bytes of DATA (a capplan_buf sink). */
static void sink_put(void *ctx, const char *data, size_t n) {
  cli_sink *s = ctx;
  if (s->failed || !n)
    return;
  if (s->fd < 0 ? fwrite(data, 1, n, stdout) != n : write_all(s->fd, data, n)) {
    s->failed = true;
    s->err = errno;
  }
}

/* Finishes: flushes standard output, or closes the device, or syncs,
 * closes and renames the temporary file (removing it on failure).
 * Returns 0, or CAPPLAN_EXIT_IO after printing why.  A reader that
 * closed the pipe early is not an error. */
static int sink_close(cli_sink *s) {
  int rc = 0;
  if (!s->path) {
    if (!s->failed && fflush(stdout)) {
      s->failed = true;
      s->err = errno;
    }
    if (s->failed && s->err != EPIPE) {
      fprintf(stderr, "capplan: error: cannot write to standard output: %s\n",
              strerror(s->err));
      rc = CAPPLAN_EXIT_IO;
    }
  } else if (!s->target) {
    if (close(s->fd) && !s->failed) {
      s->failed = true;
      s->err = errno;
    }
    if (s->failed) {
      errno = s->err;
      rc = io_error("write", s->path);
    }
  } else {
    if (!s->failed && fsync(s->fd)) {
      s->failed = true;
      s->err = errno;
    }
    if (close(s->fd) && !s->failed) {
      s->failed = true;
      s->err = errno;
    }
    if (!s->failed && rename(s->tmp.data, s->target)) {
      s->failed = true;
      s->err = errno;
    }
    if (s->failed) {
      unlink(s->tmp.data);
      errno = s->err;
      io_error("write", s->path);
      rc = CAPPLAN_EXIT_IO;
    }
  }
  capplan_buf_release(&s->tmp);
  free(s->target);
  return rc;
}

int cli_write(const capplan_buf *buf, const char *path) {
  cli_sink s;
  int rc = sink_open(&s, path);
  if (rc)
    return rc;
  sink_put(&s, buf->data ? buf->data : "", buf->len);
  return sink_close(&s);
}

int cli_limits(capplan_limits *limits) {
  *limits = capplan_limits_default();
  const char *env = getenv("CAPPLAN_LIMITS");
  if (!env || !*env)
    return 0;
  capplan_buf err;
  capplan_buf_init(&err);
  int rc = 0;
  if (capplan_limits_parse(env, limits, &err) < 0) {
    fputs("capplan: error: CAPPLAN_LIMITS='", stderr);
    cli_put_safe(stderr, env);
    fputs("': ", stderr);
    cli_put_safe(stderr, err.data);
    fputs("\n  = help: write name=value pairs separated by commas, e.g. "
          "CAPPLAN_LIMITS=input=32MiB,stages=500K\n",
          stderr);
    rc = CAPPLAN_EXIT_INPUT;
  }
  capplan_buf_release(&err);
  return rc;
}

int cli_catalog(const char *path, const char *color, capplan_catalog **out) {
  cli_diag_opts dg = {color, NULL, NULL, true};
  return cli_catalog_with(path, &dg, out);
}

int cli_catalog_with(const char *path, cli_diag_opts *dg,
                     capplan_catalog **out) {
  *out = NULL;
  if (!path)
    return 0;
  capplan_limits limits;
  if (cli_limits(&limits))
    return CAPPLAN_EXIT_INPUT;
  capplan_diags d;
  capplan_diags_init(&d, NULL);
  capplan_source *src = capplan_source_read(path, &limits, &d);
  if (src) {
    d.src = src;
    *out = capplan_catalog_load(src, &limits, &d);
  }
  cli_print_diags_with(&d, dg);
  capplan_diags_release(&d);
  capplan_source_free(src);
  return *out ? 0 : CAPPLAN_EXIT_INPUT;
}

int cli_run_pipeline(const char *spec_path, const char *color,
                     const capplan_check_opts *check, bool working,
                     const char *catalog_path, capplan_source **src,
                     capplan_report **report) {
  cli_diag_opts dg = {color, NULL, NULL, true};
  return cli_run_with(spec_path, &dg, check, working, catalog_path, NULL, NULL,
                      0, src, report);
}

int cli_run_pipeline_with(const char *spec_path, cli_diag_opts *dg,
                          const capplan_check_opts *check, bool working,
                          const char *catalog_path, capplan_source **src,
                          capplan_report **report) {
  return cli_run_with(spec_path, dg, check, working, catalog_path, NULL, NULL,
                      0, src, report);
}

int cli_run(const char *spec_path, const char *color,
            const capplan_check_opts *check, bool working,
            const capplan_mc_opts *mc, const char *const *paths, size_t n_paths,
            capplan_source **src, capplan_report **report) {
  cli_diag_opts dg = {color, NULL, NULL, true};
  return cli_run_with(spec_path, &dg, check, working, NULL, mc, paths, n_paths,
                      src, report);
}

int cli_run_with(const char *spec_path, cli_diag_opts *dg,
                 const capplan_check_opts *check, bool working,
                 const char *catalog_path, const capplan_mc_opts *mc,
                 const char *const *paths, size_t n_paths, capplan_source **src,
                 capplan_report **report) {
  *report = NULL;
  *src = NULL;
  capplan_limits limits;
  if (cli_limits(&limits))
    return CAPPLAN_EXIT_INPUT;
  capplan_catalog *catalog;
  if (cli_catalog_with(catalog_path, dg, &catalog))
    return CAPPLAN_EXIT_INPUT;
  capplan_diags d;
  capplan_diags_init(&d, NULL);
  /* The heap the run will take, from the file's size (heap.c); standard
   * input's, not known before it is read, once it is. */
  struct stat st;
  bool from_file = strcmp(spec_path, "-") != 0;
  if (from_file && stat(spec_path, &st) == 0 && st.st_size > 0)
    cli_heap_expect((size_t)st.st_size);
  *src = capplan_source_read(spec_path, &limits, &d);
  if (*src) {
    if (!from_file)
      cli_heap_expect((*src)->len);
    d.src = *src;
    capplan_run_opts opts = {&limits, check, working, catalog};
    *report = capplan_run_uncertain(*src, &opts, mc, paths, n_paths, &d);
  }
  cli_print_diags_with(&d, dg);
  capplan_diags_release(&d);
  capplan_catalog_free(catalog);
  if (!*report) {
    capplan_source_free(*src);
    *src = NULL;
    return CAPPLAN_EXIT_INPUT;
  }
  return 0;
}

/* The width tables may take (cli_output_setup). */
static size_t table_width(bool wide, bool to_terminal) {
  if (wide)
    return 0;
  const char *env = getenv("COLUMNS");
  if (env && *env) {
    char *end;
    long v = strtol(env, &end, 10);
    if (!*end && v >= 20 && v <= 100000)
      return (size_t)v;
  }
  if (!to_terminal)
    return 0;
  struct winsize ws;
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
    return ws.ws_col;
  return 80;
}

int cli_output_setup(const cli_command *cmd, enum capplan_view view,
                     const char *format, const char *path, const char *color,
                     bool wide, cli_output *out) {
  memset(out, 0, sizeof *out);
  out->format = CAPPLAN_FORMAT_TABLE;
  const char *names = NULL;
  if (format && (capplan_format_parse(format, &out->format) < 0 ||
                 !capplan_format_supported(view, out->format, &names))) {
    capplan_format_supported(view, CAPPLAN_FORMAT_TABLE, &names);
    return cli_usage_error(cmd, "unknown format '%s' (use %s)", format, names);
  }
  out->path = path && strcmp(path, "-") ? path : NULL;
  if (cli_color(color, STDOUT_FILENO, &out->opts.color) < 0)
    return cli_usage_error(cmd, "--color takes auto, always or never, not '%s'",
                           color);
  if (out->path && (!color || !strcmp(color, "auto")))
    out->opts.color = false; /* a file gets colour only when asked */
  out->opts.width = table_width(wide, !out->path && isatty(STDOUT_FILENO));
  return 0;
}

int cli_emit_report(const capplan_report *report, enum capplan_view view,
                    const cli_output *out) {
  capplan_buf text;
  capplan_buf_init(&text);
  int rc;
  if (capplan_render_streams(view, out->format)) {
    /* Written as it is rendered, a chunk at a time: a 100,000-stage
     * report is 25 MB of tables or 180 MB of JSON. */
    cli_sink s;
    if ((rc = sink_open(&s, out->path)))
      return rc;
    capplan_buf_stream(&text, (size_t)1 << 16, sink_put, &s);
    capplan_render(view, out->format, report, &out->opts, &text);
    capplan_buf_flush(&text);
    rc = sink_close(&s);
  } else {
    capplan_render(view, out->format, report, &out->opts, &text);
    rc = cli_write(&text, out->path);
  }
  capplan_buf_release(&text);
  if (rc)
    return rc;
  return capplan_report_passed(report) ? CAPPLAN_EXIT_OK : CAPPLAN_EXIT_FAILED;
}

int cli_load_plan_rows(const char *path, const char *color,
                       const capplan_catalog *catalog,
                       capplan_plan_rows **rows) {
  cli_diag_opts dg = {color, NULL, NULL, true};
  return cli_load_plan_rows_with(path, &dg, catalog, rows);
}

int cli_load_plan_rows_with(const char *path, cli_diag_opts *dg,
                            const capplan_catalog *catalog,
                            capplan_plan_rows **rows) {
  *rows = NULL;
  capplan_limits limits;
  if (cli_limits(&limits))
    return CAPPLAN_EXIT_INPUT;
  capplan_diags d;
  capplan_diags_init(&d, NULL);
  capplan_source *src = capplan_source_read(path, &limits, &d);
  if (src) {
    d.src = src;
    if (capplan_source_is_report(src)) {
      *rows = capplan_report_read_json(src, &d);
    } else {
      capplan_run_opts opts = {&limits, NULL, false, catalog};
      capplan_report *r = capplan_run(src, &opts, &d);
      if (r)
        *rows = capplan_plan_rows_of(r);
      capplan_report_free(r);
    }
  }
  cli_print_diags_with(&d, dg);
  capplan_diags_release(&d);
  capplan_source_free(src);
  return *rows ? 0 : CAPPLAN_EXIT_INPUT;
}

int cli_limit(const cli_command *cmd, const cli_args *a, const char *name,
              const char *kind, capplan_limit *limit) {
  const char *text = cli_value(cmd, a, name);
  limit->set = false;
  if (!text)
    return 0;
  char key[64];
  snprintf(key, sizeof key, "--%s", name);
  capplan_buf err, help;
  capplan_buf_init(&err);
  capplan_buf_init(&help);
  int rc = 0;
  if (capplan_quantity(text, kind, key, &limit->value, &err, &help) < 0)
    rc = cli_value_error(cmd, err.data, text, help.data);
  else if (limit->value < 0 && strcmp(name, "max-increase"))
    rc = cli_value_error(cmd, "a limit cannot be negative", text, NULL);
  else
    limit->set = true;
  capplan_buf_release(&err);
  capplan_buf_release(&help);
  return rc;
}
