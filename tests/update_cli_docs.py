"""Refresh the help texts in docs/cli.md from the built tool:
   /usr/bin/python3 tests/update_cli_docs.py build/test/examples/followup
Each "## followup ..." section keeps its prose; its ```text block becomes the
command's current --help (tests/python/test_cli_docs.py checks them)."""
import re, subprocess, sys
F=sys.argv[1]; path=sys.argv[2] if len(sys.argv)>2 else 'docs/cli.md'
doc=open(path).read()
parts=re.split(r'(?m)^(#+ followup [a-z -]+)\n', doc)
out=[parts[0]]
for i in range(1,len(parts),2):
    title=parts[i]; body=parts[i+1]
    args=title.split()[2:]
    r=subprocess.run([F,*args,'--help'],capture_output=True,text=True)
    m=re.search(r'```text\n(.*?)\n```', body, re.S)
    if r.returncode==0 and m and r.stdout.strip():
        body=body[:m.start(1)]+r.stdout.rstrip()+body[m.end(1):]
    out+= [title+'\n', body]
open(path,'w').write(''.join(out))
