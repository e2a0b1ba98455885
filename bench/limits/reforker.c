/* The limit for restart: run STAMPER FILE LIFETIME_MS, wait for it, run it
 * again at once, COUNT times in all. Usage: reforker COUNT STAMPER FILE LIFETIME_MS */
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc != 5) return 2;
  int count = atoi(argv[1]);
  for (int i = 0; i < count; i++) {
    pid_t pid = fork();
    if (pid < 0) return 1;
    if (pid == 0) {
      execv(argv[2], argv + 2);
      _exit(127);
    }
    waitpid(pid, NULL, 0);
  }
  return 0;
}
