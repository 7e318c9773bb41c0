"""Outputs published with the site, one module each (word.py; pdf.py …). Each module registers
itself with styrdok.publish.register; styrdok.publish.outputs() imports every module here, so a
new format is one new file and nothing else."""
