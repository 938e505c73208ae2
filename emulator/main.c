/* Placeholder until the CLI lands: the skeleton must build. */
#include <stdio.h>
int main(void)
{
    puts("gatehouse " GH_VERSION);
    return 0;
}
