/* The one applet table: name, entry function, one-line summary. Keep it sorted by name (a unit test checks). */
APPLET("proc-tree", proc_tree_main, "show the process tree, or chosen fields of it as JSON")
APPLET("with-gpg-agent", with_gpg_agent_main, "run a command connected to your gpg-agent, starting one when needed")
