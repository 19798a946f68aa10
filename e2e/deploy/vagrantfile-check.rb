# Loads the project's Vagrantfile against a recording stand-in for Vagrant's configuration
# object (Vagrant itself cannot run here: no VMs) and prints what it defines as JSON: boxes,
# machines with their hostnames, networks and provisioners, providers, synced folders and
# triggers. e2e/deploy/test/deploy-lint.integration.test.ts checks the result.
#
# Usage: ruby vagrantfile-check.rb PATH/TO/Vagrantfile
require "json"

# Records every call made on it (and on what its calls return) as a path of names.
class Recorder
  def initialize(path, log)
    @path = path
    @log = log
  end

  def method_missing(name, *args, **kw, &blk)
    path = "#{@path}.#{name}"
    @log << { "call" => path, "args" => args, "kw" => kw }
    # A machine's or provider's own settings are recorded under its name.
    scope = %i[define provider].include?(name) ? "#{path}[#{args.first}]" : path
    child = Recorder.new(scope, @log)
    if blk && name != :ruby # trigger.ruby: Vagrant runs it later, on the host
      if blk.arity == 2
        blk.call(child, Recorder.new("#{scope}(override)", @log))
      else
        blk.call(child)
      end
    end
    child
  end

  def respond_to_missing?(*)
    true
  end
end

LOG = []
module Vagrant
  def self.configure(version)
    raise "unexpected Vagrant configuration version #{version}" unless version == "2"

    yield Recorder.new("config", LOG)
  end
end

load ARGV.fetch(0)
puts JSON.generate(LOG)
