/* The one applet table: name, entry function, one-line summary. Keep it sorted by name (a unit test checks). */
APPLET("apache-mem", apache_mem_main, "memory of Apache workers and mod_wsgi daemons: RSS, PSS, USS, swap")
APPLET("proc-tree", proc_tree_main, "show the process tree, or chosen fields of it as JSON")
