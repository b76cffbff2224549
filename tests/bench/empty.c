/* Benchmark floor of fixed cost: a static program that does nothing, to compare procbox --help with. */
int main(void)
{
	return 0;
}
