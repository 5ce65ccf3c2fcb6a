/* The journal's load test: a process per mail connection, each living about a millisecond.
 * Every 1/RATE s the parent forks a child that connects to HOST:PORT (a SYN leaves whether or
 * not anything listens) and exits at once. Prints how many connections it started.
 *   connector HOST PORT RATE SECONDS */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc != 5) return 2;
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[2]))};
    inet_pton(AF_INET, argv[1], &to.sin_addr);
    double rate = atof(argv[3]), seconds = atof(argv[4]), start = now();
    long started = 0;
    while (now() - start < seconds) {
        double due = start + started / rate;
        while (now() < due) {
            while (waitpid(-1, NULL, WNOHANG) > 0) {}
        }
        pid_t pid = fork();
        if (pid == 0) {
            int s = socket(AF_INET, SOCK_STREAM, 0);
            connect(s, (struct sockaddr *)&to, sizeof to);
            _exit(0);
        }
        if (pid > 0) started++;
    }
    while (wait(NULL) > 0) {}
    printf("%ld\n", started);
    return 0;
}
