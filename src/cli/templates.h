/*
 * templates.h - the starter specs of 'capplan init' (templates/NAME.yaml,
 * embedded at build time by cmake/embed_templates.cmake).
 */
#ifndef CAPPLAN_TEMPLATES_H
#define CAPPLAN_TEMPLATES_H

#include <stddef.h>

typedef struct capplan_template {
  const char *name, *summary;
  const char *const *lines; /* each ends in a newline */
  size_t n_lines;
} capplan_template;

/* The templates, in the order 'capplan init --list' shows them. */
const capplan_template *capplan_templates(size_t *count);

#endif
