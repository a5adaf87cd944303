/*
 * yaml_scan.c - the yardstick for capplan's speed at scale: read a file
 * and pull every libyaml event out of it, doing nothing else.  No
 * program that reads the file through libyaml can be faster; bench/run.sh
 * reports capplan's time as a multiple of this one's.
 *
 *   build/yaml_scan FILE
 */
#include <stdio.h>
#include <yaml.h>

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: yaml_scan FILE\n");
    return 2;
  }
  FILE *f = fopen(argv[1], "rb");
  if (!f) {
    perror(argv[1]);
    return 2;
  }
  yaml_parser_t p;
  yaml_parser_initialize(&p);
  yaml_parser_set_input_file(&p, f);
  unsigned long events = 0;
  for (;;) {
    yaml_event_t e;
    if (!yaml_parser_parse(&p, &e)) {
      fprintf(stderr, "%s: %s\n", argv[1], p.problem ? p.problem : "error");
      return 1;
    }
    events++;
    int done = e.type == YAML_STREAM_END_EVENT;
    yaml_event_delete(&e);
    if (done)
      break;
  }
  yaml_parser_delete(&p);
  fclose(f);
  printf("%lu events\n", events);
  return 0;
}
