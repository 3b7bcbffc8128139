@T-PROP-1
Feature: How soon others see a change
  Others see a change in near real time on desktop; a web client may show it
  up to 5 minutes late and a Teams phone client up to 10 minutes (seed 001).

  Background:
    Given it is 09:00
    And alice is signed in to Teams on mobile
    And bob is signed in to Teams on mobile
    And carol is signed in to Teams on mobile
    And 10 minutes pass

  Scenario: A web and a phone observer of the same change
    When alice and bob are in a Teams call
    Then within 1 second carol's desktop client shows alice as Busy/InACall
    And within 5 minutes carol's web client shows alice as Busy/InACall
    And within 10 minutes bob's phone client shows alice as Busy/InACall

  Scenario: The phone client lags behind the web client
    When alice starts presenting
    Then carol's phone client still shows alice as Available
    And within 10 minutes carol's phone client shows alice as DoNotDisturb/Presenting

  Scenario: The lag is a setting of the observer's client kind and holds for every change
    When alice sets her status to Busy
    Then within 5 minutes carol's web client shows alice as Busy
    When alice resets her status
    Then within 5 minutes carol's web client shows alice as Available
